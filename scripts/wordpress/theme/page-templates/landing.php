<?php
/* Template Name: Landing */
get_header(); ?>
<?php while (have_posts()) : the_post(); ?>
  <section class="landing">
    <h1><?php the_title(); ?></h1>
    <?php the_content(); ?>
  </section>
<?php endwhile; ?>
<?php get_footer(); ?>
