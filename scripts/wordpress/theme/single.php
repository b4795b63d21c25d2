<?php get_header(); ?>
<?php while (have_posts()) : the_post(); ?>
  <article>
    <h1><?php the_title(); ?></h1>
    <p class="badge"><img src="<?php echo esc_url(get_template_directory_uri() . '/badge.svg'); ?>" width="48" height="48"></p>
    <?php the_content(); ?>
  </article>
<?php endwhile; ?>
<?php get_footer(); ?>
