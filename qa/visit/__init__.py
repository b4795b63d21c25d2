"""Visit: the drivers. Real browsers behind one protocol (``driver.py``): an Engine per browser process, a Session per
tab and viewport; the run layer (``qa.run``) decides what they load and which checks run there."""
