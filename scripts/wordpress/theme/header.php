<!DOCTYPE html>
<html <?php language_attributes(); ?>>
<head>
<meta charset="<?php bloginfo('charset'); ?>">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="<?php echo esc_url(get_stylesheet_uri()); ?>">
<?php wp_head(); ?>
</head>
<body <?php body_class(); ?>>
<header>
  <p><a href="<?php echo esc_url(home_url('/')); ?>"><?php bloginfo('name'); ?></a></p>
  <nav class="site-nav" aria-label="Primary">
    <?php wp_nav_menu(array('theme_location' => 'primary', 'fallback_cb' => false, 'container' => false)); ?>
  </nav>
  <form role="search" method="get" class="site-search" action="<?php echo esc_url(home_url('/')); ?>">
    <input type="search" name="s" value="">
    <button type="submit">Search</button>
  </form>
</header>
<main>
