<?php get_header(); ?>
<h1><?php echo is_home() ? 'News' : esc_html(wp_get_document_title()); ?></h1>
<?php while (have_posts()) : the_post(); ?>
  <article>
    <h2><a href="<?php the_permalink(); ?>"><?php the_title(); ?></a></h2>
    <?php the_excerpt(); ?>
  </article>
<?php endwhile; ?>
<?php get_footer(); ?>
