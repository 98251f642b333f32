/* gst_rtsp_server: serves MP4 files over RTSP with GStreamer's rtsp-server, a server nobody on
 * this project wrote, for interop tests of Sightline's RTSP client.
 *
 *   gst_rtsp_server --port N --mount /name=FILE.mp4 [--mount ...]
 *                   [--user U --password P [--auth digest|basic|both]]
 *
 * It listens on 127.0.0.1 only; port 0 binds a free port. Once listening it prints "listening
 * on PORT" on stdout (flushed), which is what tests wait for. It exits on SIGINT, SIGTERM or
 * when its parent process goes away. Each mount serves its file from the start to every new
 * client (an unshared factory: one pipeline per client), paced in real time (faster when the
 * client's PLAY carries a Speed header, RFC 2326 12.35), and ends with EOS.
 *
 * The codec comes from the file name: ".h265." or ".hevc." in it means H.265, otherwise H.264.
 *
 * Bit-exactness: the pipeline has no parser. qtdemux emits each MP4 sample as one buffer in
 * the ISO/IEC 14496-15 length-prefixed form (caps stream-format=avc or hvc1, alignment=au),
 * which the payloaders accept as they are; rtph26Xpay's config-interval defaults to 0, so
 * they never add parameter sets. Every NAL unit of a sample thus goes out unchanged, and an
 * RFC 6184 / RFC 7798 depacketizer rebuilds the sample byte for byte. A parser (h264parse,
 * h265parse) adds nothing useful here and can insert parameter sets or AUDs depending on its
 * settings; see tests/README.md for what was measured.
 *
 * Authentication: with --user/--password every mount requires credentials; "--auth digest"
 * (the default) offers only Digest (RFC 2617), "basic" only Basic, "both" offers both. */

#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <glib-unix.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  gchar *path; /* URL path, e.g. "/cam1" */
  gchar *file;
} Mount;

typedef struct {
  gchar *port;
  GPtrArray *mounts; /* of Mount* */
  gchar *user;
  gchar *password;
  gchar *auth;
} Options;

static void mount_free(gpointer p) {
  Mount *m = p;
  g_free(m->path);
  g_free(m->file);
  g_free(m);
}

static gboolean is_h265_file(const gchar *file) {
  gchar *base = g_path_get_basename(file);
  gchar *lower = g_ascii_strdown(base, -1);
  gboolean h265 = strstr(lower, ".h265.") != NULL || strstr(lower, ".hevc.") != NULL;
  g_free(lower);
  g_free(base);
  return h265;
}

/* The launch description must be parsed by gst_parse_launch, so the file name is quoted; a
 * name holding a quote or backslash would need escaping and is refused instead. */
static gchar *make_launch(const gchar *file) {
  const gchar *pay = is_h265_file(file) ? "rtph265pay" : "rtph264pay";
  return g_strdup_printf("( filesrc location=\"%s\" ! qtdemux ! %s name=pay0 pt=96 )", file, pay);
}

static gboolean parse_mount(const gchar *arg, GPtrArray *mounts, GError **error) {
  const gchar *eq = strchr(arg, '=');
  if (arg[0] != '/' || eq == NULL || eq == arg + 1 || eq[1] == '\0') {
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                "--mount wants /name=FILE, got \"%s\"", arg);
    return FALSE;
  }
  const gchar *file = eq + 1;
  if (strpbrk(file, "\"\\") != NULL) {
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                "--mount: file name must not contain '\"' or '\\': %s", file);
    return FALSE;
  }
  if (!g_file_test(file, G_FILE_TEST_IS_REGULAR)) {
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--mount: no such file: %s",
                file);
    return FALSE;
  }
  Mount *m = g_new0(Mount, 1);
  m->path = g_strndup(arg, (gsize)(eq - arg));
  m->file = g_strdup(file);
  g_ptr_array_add(mounts, m);
  return TRUE;
}

static gboolean parse_options(int argc, char **argv, Options *o, GError **error) {
  gchar **mount_args = NULL;
  GOptionEntry entries[] = {
      {"port", 0, 0, G_OPTION_ARG_STRING, &o->port, "TCP port, 0 for any free port", "N"},
      {"mount", 0, 0, G_OPTION_ARG_STRING_ARRAY, &mount_args, "serve FILE at /name",
       "/name=FILE"},
      {"user", 0, 0, G_OPTION_ARG_STRING, &o->user, "require this user name", "U"},
      {"password", 0, 0, G_OPTION_ARG_STRING, &o->password, "and this password", "P"},
      {"auth", 0, 0, G_OPTION_ARG_STRING, &o->auth, "digest (default), basic or both", "M"},
      {NULL, 0, 0, G_OPTION_ARG_NONE, NULL, NULL, NULL},
  };
  GOptionContext *ctx = g_option_context_new("- serve MP4 files over RTSP");
  g_option_context_add_main_entries(ctx, entries, NULL);
  g_option_context_add_group(ctx, gst_init_get_option_group());
  gboolean ok = g_option_context_parse(ctx, &argc, &argv, error);
  g_option_context_free(ctx);

  o->mounts = g_ptr_array_new_with_free_func(mount_free);
  for (gchar **a = mount_args; ok && a != NULL && *a != NULL; ++a) {
    ok = parse_mount(*a, o->mounts, error);
  }
  g_strfreev(mount_args);
  if (!ok) return FALSE;

  if (o->port == NULL) o->port = g_strdup("8554");
  if (o->mounts->len == 0) {
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "at least one --mount needed");
    return FALSE;
  }
  if ((o->user == NULL) != (o->password == NULL)) {
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                "--user and --password go together");
    return FALSE;
  }
  if (o->auth == NULL) o->auth = g_strdup("digest");
  if (strcmp(o->auth, "digest") != 0 && strcmp(o->auth, "basic") != 0 &&
      strcmp(o->auth, "both") != 0) {
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                "--auth must be digest, basic or both, got \"%s\"", o->auth);
    return FALSE;
  }
  return TRUE;
}

/* Clients that present the credentials get the role "user"; mounts grant that role access.
 * There is no default token, so anonymous requests get 401 with the configured challenges. */
static GstRTSPAuth *make_auth(const Options *o) {
  GstRTSPAuth *auth = gst_rtsp_auth_new();
  GstRTSPToken *token =
      gst_rtsp_token_new(GST_RTSP_TOKEN_MEDIA_FACTORY_ROLE, G_TYPE_STRING, "user", NULL);
  GstRTSPAuthMethod methods = 0;
  if (strcmp(o->auth, "basic") == 0 || strcmp(o->auth, "both") == 0) {
    gchar *basic = gst_rtsp_auth_make_basic(o->user, o->password);
    gst_rtsp_auth_add_basic(auth, basic, token);
    g_free(basic);
    methods |= GST_RTSP_AUTH_BASIC;
  }
  if (strcmp(o->auth, "digest") == 0 || strcmp(o->auth, "both") == 0) {
    gst_rtsp_auth_add_digest(auth, o->user, o->password, token);
    methods |= GST_RTSP_AUTH_DIGEST;
  }
  gst_rtsp_auth_set_supported_methods(auth, methods);
  gst_rtsp_token_unref(token);
  return auth;
}

static gboolean quit_on_signal(gpointer loop) {
  g_main_loop_quit(loop);
  return G_SOURCE_REMOVE;
}

typedef struct {
  GMainLoop *loop;
  pid_t parent;
} ParentWatch;

/* A test that crashes cannot kill its server; the server notices it was orphaned (its parent
 * changed) and exits, so no server outlives its test run. */
static gboolean quit_when_orphaned(gpointer data) {
  const ParentWatch *w = data;
  if (getppid() == w->parent) return G_SOURCE_CONTINUE;
  g_main_loop_quit(w->loop);
  return G_SOURCE_REMOVE;
}

int main(int argc, char **argv) {
  Options o = {0};
  GError *error = NULL;
  if (!parse_options(argc, argv, &o, &error)) {
    fprintf(stderr, "gst_rtsp_server: %s\n", error->message);
    g_error_free(error);
    return 2;
  }

  GMainLoop *loop = g_main_loop_new(NULL, FALSE);
  GstRTSPServer *server = gst_rtsp_server_new();
  gst_rtsp_server_set_address(server, "127.0.0.1");
  gst_rtsp_server_set_service(server, o.port);
  if (o.user != NULL) {
    GstRTSPAuth *auth = make_auth(&o);
    gst_rtsp_server_set_auth(server, auth);
    g_object_unref(auth);
  }

  GstRTSPMountPoints *mounts = gst_rtsp_server_get_mount_points(server);
  for (guint i = 0; i < o.mounts->len; ++i) {
    const Mount *m = g_ptr_array_index(o.mounts, i);
    GstRTSPMediaFactory *factory = gst_rtsp_media_factory_new();
    gchar *launch = make_launch(m->file);
    gst_rtsp_media_factory_set_launch(factory, launch);
    g_free(launch);
    /* Unshared: every client gets its own pipeline, so each one starts at the first sample. */
    gst_rtsp_media_factory_set_shared(factory, FALSE);
    if (o.user != NULL) {
      gst_rtsp_media_factory_add_role(factory, "user", GST_RTSP_PERM_MEDIA_FACTORY_ACCESS,
                                      G_TYPE_BOOLEAN, TRUE, GST_RTSP_PERM_MEDIA_FACTORY_CONSTRUCT,
                                      G_TYPE_BOOLEAN, TRUE, NULL);
    }
    gst_rtsp_mount_points_add_factory(mounts, m->path, factory);
  }
  g_object_unref(mounts);

  if (gst_rtsp_server_attach(server, NULL) == 0) {
    fprintf(stderr, "gst_rtsp_server: cannot listen on 127.0.0.1:%s\n", o.port);
    return 1;
  }
  printf("listening on %d\n", gst_rtsp_server_get_bound_port(server));
  fflush(stdout);

  g_unix_signal_add(SIGINT, quit_on_signal, loop);
  g_unix_signal_add(SIGTERM, quit_on_signal, loop);
  ParentWatch watch = {loop, getppid()};
  g_timeout_add(500, quit_when_orphaned, &watch);
  g_main_loop_run(loop);

  g_object_unref(server);
  g_main_loop_unref(loop);
  g_ptr_array_unref(o.mounts);
  g_free(o.port);
  g_free(o.user);
  g_free(o.password);
  g_free(o.auth);
  return 0;
}
