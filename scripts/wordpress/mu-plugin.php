<?php
/*
 * Plugin Name: qa-suite test site
 * Description: A public custom post type, as many real sites have (loaded by scripts/wordpress/setup.sh).
 */
add_action('init', function () {
    register_post_type('event', array(
        'label' => 'Events',
        'public' => true,
        'show_in_rest' => true,
        'rest_base' => 'events',
        'has_archive' => false,
        'rewrite' => array('slug' => 'events'),
        'supports' => array('title', 'editor', 'thumbnail'),
    ));
});
