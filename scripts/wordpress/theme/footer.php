</main>
<footer><p>&copy; Minato City</p></footer>
<?php wp_footer(); ?>
</body>
</html>
