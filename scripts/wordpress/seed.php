<?php
/*
 * Creates the test site through WordPress's own API (wp-cli is not available): `php seed.php install`, then
 * `php seed.php content` which prints JSON describing what exists (published URLs, unpublished posts, the
 * application password). Both phases are idempotent.
 */
$phase = $argv[1] ?? 'content';
$_SERVER['HTTP_HOST'] = getenv('QA_WP_HOST');
$_SERVER['WORDPRESS_CONFIG'] = 'qa-wordpress-test';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['SERVER_PORT'] = '80';
$_SERVER['REQUEST_METHOD'] = 'GET';
if ($phase === 'install') {
    define('WP_INSTALLING', true);
}
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/image.php';
require_once ABSPATH . 'wp-admin/includes/file.php';
require_once ABSPATH . 'wp-admin/includes/media.php';

if ($phase === 'install') {
    if (!is_blog_installed()) {
        wp_install('Minato City (staging)', 'qa-admin', 'qa-admin@example.invalid', true, '',
            getenv('QA_WP_ADMIN_PASSWORD'));
    }
    exit(0);
}

function find_post(string $slug, string $type) {
    $found = get_posts(array('name' => $slug, 'post_type' => $type, 'post_status' => 'any', 'numberposts' => 1));
    return $found ? $found[0]->ID : 0;
}

function ensure_post(array $args): int {
    $id = find_post($args['post_name'], $args['post_type'] ?? 'post');
    if ($id) {
        return $id;
    }
    $id = wp_insert_post($args + array('post_content' => '<p>' . $args['post_title'] . '.</p>'), true);
    if (is_wp_error($id)) {
        fwrite(STDERR, $id->get_error_message() . "\n");
        exit(1);
    }
    return $id;
}

function ensure_image(string $name, array $rgb): int {
    $existing = get_posts(array('post_type' => 'attachment', 'name' => $name, 'numberposts' => 1));
    if ($existing) {
        return $existing[0]->ID;
    }
    $img = imagecreatetruecolor(320, 180);
    imagefill($img, 0, 0, imagecolorallocate($img, $rgb[0], $rgb[1], $rgb[2]));
    ob_start();
    imagepng($img);
    $upload = wp_upload_bits("$name.png", null, ob_get_clean());
    $id = wp_insert_attachment(array('post_title' => $name, 'post_name' => $name, 'post_mime_type' => 'image/png',
        'post_status' => 'inherit'), $upload['file']);
    wp_update_attachment_metadata($id, wp_generate_attachment_metadata($id, $upload['file']));
    return $id;
}

switch_theme('qa-civic');
update_option('permalink_structure', '/%postname%/');
update_option('blogdescription', 'Staging site for the qa-suite tests');
flush_rewrite_rules(false);
$admin = get_user_by('login', 'qa-admin');
wp_set_current_user($admin->ID);
// The auditing account sees the site as visitors do: no toolbar on the front end.
update_user_meta($admin->ID, 'show_admin_bar_front', 'false');

$harbour = ensure_image('harbour', array(20, 90, 160));
$festival = ensure_image('festival', array(200, 120, 20));
$harbour_url = wp_get_attachment_url($harbour);

$pages = array();
$pages['about'] = ensure_post(array('post_type' => 'page', 'post_name' => 'about', 'post_title' => 'About the city',
    'post_status' => 'publish', 'post_content' => '<p>Minato is a harbour city.</p><figure><img src="'
    . esc_url($harbour_url) . '" alt="The harbour at dawn" width="320" height="180"></figure>'));
$pages['services'] = ensure_post(array('post_type' => 'page', 'post_name' => 'services', 'post_title' => 'Services',
    'post_status' => 'publish'));
$pages['waste'] = ensure_post(array('post_type' => 'page', 'post_name' => 'waste-collection',
    'post_title' => 'Waste collection', 'post_status' => 'publish', 'post_parent' => $pages['services']));
$pages['access'] = ensure_post(array('post_type' => 'page', 'post_name' => 'access', 'post_title' => 'Access',
    'post_status' => 'publish'));
$pages['invest'] = ensure_post(array('post_type' => 'page', 'post_name' => 'invest', 'post_title' => 'Invest in Minato',
    'post_status' => 'publish', 'page_template' => 'page-templates/landing.php'));
// Published, but no menu, page or post links to it: only the REST API and the sitemap know it.
$pages['orphan'] = ensure_post(array('post_type' => 'page', 'post_name' => 'tender-notice-2026',
    'post_title' => 'Tender notice 2026', 'post_status' => 'publish'));
$pages['draft'] = ensure_post(array('post_type' => 'page', 'post_name' => 'new-office-hours',
    'post_title' => 'New office hours (draft)', 'post_status' => 'draft'));

$posts = array();
$posts['festival'] = ensure_post(array('post_name' => 'harbour-festival', 'post_title' => 'Harbour festival',
    'post_status' => 'publish', 'post_date' => '2026-09-01 10:00:00'));
set_post_thumbnail($posts['festival'], $festival);
$posts['budget'] = ensure_post(array('post_name' => 'budget-2027', 'post_title' => 'Budget 2027',
    'post_status' => 'publish', 'post_date' => '2026-10-01 10:00:00'));
$posts['roads'] = ensure_post(array('post_name' => 'road-works', 'post_title' => 'Road works on Route 3',
    'post_status' => 'publish', 'post_date' => '2026-11-01 10:00:00'));
$posts['draft'] = ensure_post(array('post_name' => 'snow-plan-draft', 'post_title' => 'Winter snow plan (draft)',
    'post_status' => 'draft'));
$posts['pending'] = ensure_post(array('post_name' => 'library-hours-pending', 'post_title' => 'Library hours (pending review)',
    'post_status' => 'pending'));
$posts['future'] = ensure_post(array('post_name' => 'new-year-greeting', 'post_title' => 'New year greeting (scheduled)',
    'post_status' => 'future', 'post_date' => gmdate('Y-m-d H:i:s', time() + 60 * 86400),
    'post_date_gmt' => gmdate('Y-m-d H:i:s', time() + 60 * 86400)));
$events = array();
$events['market'] = ensure_post(array('post_type' => 'event', 'post_name' => 'morning-market', 'post_title' => 'Morning market',
    'post_status' => 'publish'));

$menu = wp_get_nav_menu_object('Primary');
if (!$menu) {
    $menu_id = wp_create_nav_menu('Primary');
    foreach (array('about', 'services', 'waste', 'access', 'invest') as $key) {
        wp_update_nav_menu_item($menu_id, 0, array('menu-item-object' => 'page', 'menu-item-object-id' => $pages[$key],
            'menu-item-type' => 'post_type', 'menu-item-status' => 'publish'));
    }
} else {
    $menu_id = $menu->term_id;
}
set_theme_mod('nav_menu_locations', array('primary' => $menu_id));

$app_password = get_option('qa_test_app_password');
if (!$app_password) {
    $created = WP_Application_Passwords::create_new_application_password($admin->ID, array('name' => 'qa-suite'));
    $app_password = $created[0];
    update_option('qa_test_app_password', $app_password, false);  // test fixture only: lets reruns print it
}

$published = array();
foreach (get_posts(array('post_type' => array('page', 'post', 'event'), 'post_status' => 'publish', 'numberposts' => -1))
    as $p) {
    $published[] = array('id' => $p->ID, 'type' => $p->post_type, 'path' => wp_make_link_relative(get_permalink($p)),
        'template' => get_page_template_slug($p) ?: '');
}
$unpublished = array();
foreach (get_posts(array('post_type' => array('page', 'post'), 'post_status' => array('draft', 'pending', 'future'),
    'numberposts' => -1)) as $p) {
    $unpublished[] = array('id' => $p->ID, 'type' => $p->post_type, 'status' => $p->post_status, 'title' => $p->post_title);
}
echo json_encode(array(
    'app_password' => $app_password,
    'published' => $published,
    'unpublished' => $unpublished,
    'orphan_path' => wp_make_link_relative(get_permalink($pages['orphan'])),
    'event_path' => wp_make_link_relative(get_permalink($events['market'])),
), JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES) . "\n";
