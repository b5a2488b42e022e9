/*
 * capsa-stage: the native exec stage of Capsa.
 *
 * Java (J) plans, this program executes: it reads a binary plan of operations from J,
 * runs them in order (namespaces, mounts, devices, pivot_root, credentials, ...) and
 * finally execs the container process. It holds no policy of its own. The contract with
 * J is docs/stage-protocol.md; opcode numbers match io.capsa.stage.Op.
 *
 * Single-threaded, libc + raw syscalls only. Every fd the stage opens is close-on-exec.
 * Any failure is reported to J as "ERR <errno> <label>\t<step>\t<detail>" and ends the
 * stage with exit status 1 (see fail()).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <linux/seccomp.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define ULL(x) ((unsigned long long)(x))

/* MOUNT ext bits (Op.MNT_*). */
enum { MNT_MKDIR = 1, MNT_MKFILE = 2, MNT_BIND_REMOUNT = 4, MNT_RRO = 8, MNT_SRC_IN_ROOT = 16 };
/* CLONE modes (Op.CLONE_*). */
enum { CLONE_DETACH = 0, CLONE_WAIT = 1 };

/* Largest frame J may send (the plan, or a reply carrying the state payload). */
#define MAX_FRAME (64u << 20)
/* Largest message the stage sends: one atomic pipe write, frame header included. */
#define MAX_MSG 4096

/* ------------------------------------------------------------------ state */

static int sync_in = 0, sync_out = 1; /* pipes from / to J: fds 0 and 1 until moved up */
static const char *label = "start";   /* label of the op running now, echoed in errors */
static int root_fd = -1;              /* ROOTFS: the container root, for in-root ops */
static int fifo_fd = -1;              /* OPEN_FIFO: the exec fifo, for WAIT_START */
static int console_sock = -1;         /* CONSOLE_SOCKET: where CONSOLE sends the pty master */
static int proxy_sock = -1;           /* CONSOLE_PAIR: the waiting parent's end, receives the master */
static int listener_fd = -1;          /* SECCOMP with NEW_LISTENER: for SECCOMP_LISTENER */
static char *state;                   /* payload of the last "OK\n<payload>" reply */
static size_t state_len;
static char *exec_path;               /* FIND_EXEC: what EXEC runs */

/* ------------------------------------------------------------------ messages and errors */

/* Sends one framed message (u32 length + text) to J with a single write of at most
 * MAX_MSG bytes: atomic on a pipe, so the two halves of CLONE never interleave.
 * Longer texts are truncated. Returns -1 if J cannot be reached. */
static __attribute__((format(printf, 1, 2))) int msg(const char *fmt, ...)
{
	char b[MAX_MSG];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b + 4, sizeof b - 4, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if (n > (int)sizeof b - 5)
		n = sizeof b - 5;
	uint32_t len = n;
	memcpy(b, &len, 4);
	ssize_t w;
	do
		w = write(sync_out, b, n + 4);
	while (w < 0 && errno == EINTR);
	return w == n + 4 ? 0 : -1;
}

/* The one error exit: reports "ERR <err> <label>\t<step>\t<detail>" to J (or, if J is
 * gone, a line on fd 2) and exits 1. `step` names what failed (usually the syscall). */
static noreturn __attribute__((format(printf, 3, 4))) void fail(const char *step, int err, const char *fmt, ...)
{
	char detail[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	if (msg("ERR %d %s\t%s\t%s", err, label, step, detail) < 0) {
		if (err)
			dprintf(2, "capsa-stage: %s: %s: %s (%s)\n", label, step, strerror(err), detail);
		else
			dprintf(2, "capsa-stage: %s: %s: %s\n", label, step, detail);
	}
	_exit(1);
}

/* Reads exactly n bytes unless EOF comes first; returns the bytes read, or -1. */
static ssize_t read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += r;
	}
	return got;
}

/* Reads one frame from J. Returns NULL on EOF before the frame starts; a frame cut
 * short fails with `step`. The frame is NUL-terminated for convenience. */
static char *read_frame(const char *step, uint32_t *len)
{
	unsigned char h[4];
	ssize_t r = read_full(sync_in, h, 4);
	if (r < 0)
		fail(step, errno, "read from J");
	if (r == 0)
		return NULL;
	if (r < 4)
		fail(step, EPIPE, "frame header cut short");
	memcpy(len, h, 4);
	if (*len > MAX_FRAME)
		fail(step, EMSGSIZE, "frame of %u bytes (max %u)", *len, MAX_FRAME);
	char *buf = malloc(*len + 1);
	if (!buf)
		fail(step, ENOMEM, "frame of %u bytes", *len);
	r = read_full(sync_in, buf, *len);
	if (r < 0)
		fail(step, errno, "read from J");
	if ((uint32_t)r < *len)
		fail(step, EPIPE, "frame cut short: %zd of %u bytes", r, *len);
	buf[*len] = 0;
	return buf;
}

/* Waits for J's reply to SYNC: "OK", "OK\n<payload>" (kept as the state) or "ABORT".
 * EOF or ABORT: exit 1 silently. */
static void wait_reply(void)
{
	uint32_t n;
	char *r = read_frame("sync", &n);
	if (!r || (n == 5 && !memcmp(r, "ABORT", 5)))
		_exit(1);
	if (n == 2 && !memcmp(r, "OK", 2)) {
		free(r);
	} else if (n >= 3 && !memcmp(r, "OK\n", 3)) {
		free(state);
		state_len = n - 3;
		state = r;
		memmove(state, r + 3, state_len + 1);
	} else {
		fail("sync", EPROTO, "unexpected reply \"%.*s\"", (int)(n < 40 ? n : 40), r);
	}
}

/* ------------------------------------------------------------------ small helpers */

static const char *fdpath(char buf[32], int fd)
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

/* Mount strings: empty means NULL. */
static const char *nul(const char *s) { return *s ? s : NULL; }

/* Marks every fd >= first close-on-exec (or, with `close_them`, closes it). */
static void fds_from(unsigned first, int close_them)
{
	if (syscall(SYS_close_range, first, ~0U, close_them ? 0 : CLOSE_RANGE_CLOEXEC) == 0)
		return;
	/* Kernels before 5.11 lack CLOSE_RANGE_CLOEXEC (5.9 close_range): one fd at a time. */
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		fail("opendir", errno, "/proc/self/fd");
	struct dirent *e;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] == '.' || fd < (int)first || fd == dirfd(d))
			continue;
		if (close_them)
			close(fd);
		else
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	closedir(d);
}

/* Puts `fd` at `to` without close-on-exec (closing `fd` unless it already is `to`). */
static int move_fd(int fd, int to)
{
	if (fd == to)
		return fcntl(fd, F_SETFD, 0);
	if (dup3(fd, to, 0) < 0)
		return -1;
	close(fd);
	return 0;
}

/* Moves `fd` to the lowest free fd >= low, close-on-exec. */
static int move_up(int fd, int low)
{
	int n = fcntl(fd, F_DUPFD_CLOEXEC, low);
	if (n < 0)
		fail("fcntl", errno, "move fd %d up", fd);
	close(fd);
	return n;
}

static int unix_connect(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof a.sun_path)
		fail("connect", ENAMETOOLONG, "%s", path);
	strcpy(a.sun_path, path);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		fail("socket", errno, "%s", path);
	if (connect(s, (struct sockaddr *)&a, sizeof a) < 0)
		fail("connect", errno, "%s", path);
	return s;
}

/* Sends `data` over a stream socket with `fd` attached (SCM_RIGHTS). */
static int send_fd(int sock, int fd, const char *data, size_t len)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} c;
	struct iovec iov = { (void *)data, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.b, .msg_controllen = sizeof c.b };
	struct cmsghdr *h = CMSG_FIRSTHDR(&mh);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &fd, sizeof fd);
	ssize_t n;
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	for (size_t off = n; n >= 0 && off < len; off += n) /* a stream may take it in parts */
		n = send(sock, data + off, len - off, MSG_NOSIGNAL);
	return n < 0 ? -1 : 0;
}

/* Reads a small decimal file (e.g. /proc/sys/kernel/cap_last_cap); -1 if unreadable. */
static long read_number(const char *path)
{
	char b[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, b, sizeof b - 1);
	close(fd);
	if (n <= 0)
		return -1;
	b[n] = 0;
	return strtol(b, NULL, 10);
}

/* Raw clone used like fork(): clone3 first, so that any namespace flag (even
 * CLONE_NEWTIME, which clone() cannot take) works; clone() where clone3 is hidden
 * (e.g. by a seccomp profile returning ENOSYS). */
static pid_t clone_fork(uint64_t flags)
{
	struct clone_args ca = { .flags = flags, .exit_signal = SIGCHLD };
	long pid = syscall(SYS_clone3, &ca, sizeof ca);
	if (pid < 0 && errno == ENOSYS)
		pid = syscall(SYS_clone, (unsigned long)flags | SIGCHLD, 0, 0, 0, 0);
	return pid;
}

/* ------------------------------------------------------------------ in-root paths */

/* Opens `path` O_PATH from the root fd: symlinks (and "..") are resolved inside the
 * root, never out of it; magic links (/proc/PID/...) are refused. */
static int resolve(const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd;
	int tries = 0;
	do /* EAGAIN: a concurrent rename or mount; try again */
		fd = syscall(SYS_openat2, root_fd, *path ? path : ".", &how, sizeof how);
	while (fd < 0 && errno == EAGAIN && ++tries < 64);
	return fd;
}

enum { NO_CREATE, MKDIRS, MKFILE };

/* Opens `path` (relative to the root fd, leading '/' ignored) as an O_PATH fd. With
 * MKDIRS/MKFILE, missing components are created as directories (the last one as an
 * empty file with MKFILE), each relative to its parent's fd, never by path. */
static int open_in_root(const char *path, int create)
{
	if (root_fd < 0)
		fail("rootfs", EBADF, "no ROOTFS op before an in-root op on %s", path);
	while (*path == '/')
		path++;
	int fd = resolve(path);
	if (fd >= 0)
		return fd;
	if (errno != ENOENT || create == NO_CREATE)
		fail("openat2", errno, "%s", path);

	char buf[PATH_MAX];
	if (strlen(path) >= sizeof buf)
		fail("openat2", ENAMETOOLONG, "%s", path);
	strcpy(buf, path);
	int parent = resolve("");
	if (parent < 0)
		fail("openat2", errno, "/");
	/* buf is cut after each component in turn: "a", "a/b", "a/b/c". */
	for (char *p = buf; *(p += strspn(p, "/"));) {
		char *name = p;
		p += strcspn(p, "/");
		char sep = *p;
		int last = !p[strspn(p, "/")];
		*p = 0;
		fd = resolve(buf);
		if (fd < 0 && errno == ENOENT) {
			int r;
			if (last && create == MKFILE) {
				r = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
				if (r >= 0)
					close(r);
			} else {
				r = mkdirat(parent, name, 0755);
			}
			if (r < 0 && errno != EEXIST)
				fail(last && create == MKFILE ? "openat" : "mkdirat", errno, "%s", buf);
			fd = resolve(buf); /* fails if what exists there is a dangling symlink */
		}
		if (fd < 0)
			fail("openat2", errno, "%s", buf);
		close(parent);
		parent = fd;
		*p = sep;
	}
	return parent;
}

/* Opens the parent directory of `path` in the root (creating it as directories) and
 * points *name at the last component (inside buf). */
static int open_parent(const char *path, char buf[PATH_MAX], const char **name)
{
	if (strlen(path) >= PATH_MAX)
		fail("openat2", ENAMETOOLONG, "%s", path);
	strcpy(buf, path);
	size_t n = strlen(buf);
	while (n > 0 && buf[n - 1] == '/')
		buf[--n] = 0;
	char *slash = strrchr(buf, '/');
	*name = slash ? slash + 1 : buf;
	if (!**name || !strcmp(*name, ".") || !strcmp(*name, ".."))
		fail("openat2", EINVAL, "%s: no file name", path);
	if (!slash)
		return open_in_root("", NO_CREATE);
	*slash = 0;
	int fd = open_in_root(buf, MKDIRS);
	*slash = '/';
	return fd;
}

/* The per-mount flags a bind remount must keep (locked ones, in a user namespace). */
static unsigned long mount_flags(int fd, const char *path)
{
	static const struct {
		unsigned long st, ms;
	} map[] = {
		{ ST_RDONLY, MS_RDONLY },     { ST_NOSUID, MS_NOSUID },       { ST_NODEV, MS_NODEV },
		{ ST_NOEXEC, MS_NOEXEC },     { ST_NOATIME, MS_NOATIME },     { ST_NODIRATIME, MS_NODIRATIME },
		{ ST_RELATIME, MS_RELATIME },
	};
	struct statvfs sv;
	if ((fd >= 0 ? fstatvfs(fd, &sv) : statvfs(path, &sv)) < 0)
		fail("statvfs", errno, "%s", path);
	unsigned long f = 0;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (sv.f_flag & map[i].st)
			f |= map[i].ms;
	return f;
}

/* Remounts the mount at `path` read-only, keeping its other flags. */
static void remount_ro(const char *path)
{
	unsigned long f = MS_BIND | MS_REMOUNT | MS_RDONLY | mount_flags(-1, path);
	if (mount(NULL, path, NULL, f, NULL) < 0)
		fail("remount", errno, "%s read-only", path);
}

/* ------------------------------------------------------------------ the plan */

struct val {         /* one decoded argument slot of an op */
	const char *s;   /* string or bytes, NUL-terminated inside the plan buffer */
	uint32_t len;    /* their length */
	uint64_t u;      /* integer */
	uint64_t n;      /* list: number of items */
	char **sv;       /* string list, NULL-terminated */
	uint64_t *uv;    /* integer list */
};

#define MAX_SLOTS 9 /* MOUNT has the most arguments */

struct op {
	unsigned code;
	const char *label;
	struct val v[MAX_SLOTS];
};

typedef void op_fn(const struct op *);

/* ------------------------------------------------------------------ the ops */

static void op_setns(const struct op *o)
{
	int fd = open(o->v[0].s, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail("open", errno, "%s", o->v[0].s);
	if (setns(fd, (int)o->v[1].u) < 0)
		fail("setns", errno, "%s", o->v[0].s);
	close(fd);
}

static void op_unshare(const struct op *o)
{
	if (unshare((int)o->v[0].u) < 0)
		fail("unshare", errno, "flags 0x%llx", ULL(o->v[0].u));
}

static void op_write_file(const struct op *o)
{
	const char *path = o->v[0].s, *p = o->v[1].s;
	size_t left = o->v[1].len;
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		fail("open", errno, "%s", path);
	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			fail("write", errno, "%s", path);
		p += w;
		left -= w;
	}
	if (close(fd) < 0)
		fail("close", errno, "%s", path);
}

static pid_t child_pid; /* CLONE_WAIT: where the waiting parent forwards signals */

static void forward_signal(int sig)
{
	int e = errno;
	kill(child_pid, sig);
	errno = e;
}

/* ------------------------------------------------------------------ pty proxy (run in the foreground) */

static volatile sig_atomic_t winch = 1;
static void on_winch(int sig) { (void)sig; winch = 1; }

/* Receives one fd sent with SCM_RIGHTS on sock; -1 if none came. */
static int recv_fd(int sock)
{
	char name[64], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { name, sizeof name };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
	ssize_t n;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

/* Copies what is readable on `from` to `to`; returns 0 at EOF or error (EIO: the pty closed). */
static int pump(int from, int to)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof buf);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0)
		return 0;
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(to, buf + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return 0;
		off += w;
	}
	return 1;
}

/* The waiting parent of a foreground run with a terminal and no --console-socket (as runc does):
 * receives the pty master from the child, puts our terminal in raw mode, and copies both ways until
 * the container side of the pty closes. Window size changes follow SIGWINCH. */
static void proxy_console(void)
{
	int master = recv_fd(proxy_sock);
	close(proxy_sock);
	proxy_sock = -1;
	if (master < 0)
		return; /* the child died before it made the pty: just wait for it */
	struct termios saved;
	int raw = isatty(0) && tcgetattr(0, &saved) == 0;
	if (raw) {
		struct termios t = saved;
		cfmakeraw(&t);
		tcsetattr(0, TCSANOW, &t);
	}
	struct sigaction sa = { .sa_handler = on_winch, .sa_flags = SA_RESTART };
	sigaction(SIGWINCH, &sa, NULL);
	int in_open = 1;
	for (;;) {
		if (winch) {
			winch = 0;
			struct winsize ws;
			if (isatty(0) && ioctl(0, TIOCGWINSZ, &ws) == 0)
				ioctl(master, TIOCSWINSZ, &ws);
		}
		struct pollfd p[2] = { { master, POLLIN, 0 }, { in_open ? 0 : -1, POLLIN, 0 } };
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
			if (!pump(master, 1))
				break;
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
			in_open = pump(0, master);
	}
	if (raw)
		tcsetattr(0, TCSANOW, &saved);
	close(master);
}

static void op_console_pair(const struct op *o)
{
	(void)o;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		fail("socketpair", errno, "console pair");
	if (console_sock >= 0)
		close(console_sock);
	console_sock = sv[0];
	proxy_sock = sv[1];
}

/* EXIT_MONITOR: what the waiting parent of CLONE_WAIT does once the child has exited. */
static const char *monitor_status_path; /* the exit status is written here (atomically) */
static char **monitor_argv, **monitor_env; /* then exec'd with /dev/null as stdio, if argv is not empty */

static void op_exit_monitor(const struct op *o)
{
	monitor_status_path = o->v[0].len ? o->v[0].s : NULL;
	monitor_argv = o->v[1].n ? o->v[1].sv : NULL;
	monitor_env = o->v[2].sv;
	if ((o->v[3].u & 1) && setsid() < 0 && errno != EPERM)
		fail("setsid", errno, "exit monitor");
}

/* Writes "STATUS\n" to monitor_status_path through a temporary file and rename; errors are ignored
 * (the monitor has nobody to report them to). */
static void monitor_write_status(int status)
{
	char tmp[PATH_MAX], buf[16];
	if (snprintf(tmp, sizeof tmp, "%s.tmp", monitor_status_path) >= (int)sizeof tmp)
		return;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	int n = snprintf(buf, sizeof buf, "%d\n", status);
	ssize_t w = write(fd, buf, n);
	if (close(fd) == 0 && w == n)
		rename(tmp, monitor_status_path);
	else
		unlink(tmp);
}

static noreturn void monitor_exit(int status)
{
	if (monitor_status_path)
		monitor_write_status(status);
	if (monitor_argv) {
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			for (int fd = 0; fd < 3; fd++)
				if (fd != null)
					dup2(null, fd);
			if (null > 2)
				close(null);
		}
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		for (int sig = 1; sig < NSIG; sig++)
			signal(sig, SIG_DFL);
		execve(monitor_argv[0], monitor_argv, monitor_env);
	}
	_exit(status);
}

/* LOOPBACK_UP: sets the new network namespace's lo up (as runc's "loopback" network does). */
static void op_loopback_up(const struct op *o)
{
	(void)o;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		fail("socket", errno, "loopback");
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		fail("ioctl", errno, "SIOCGIFFLAGS lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		fail("ioctl", errno, "SIOCSIFFLAGS lo up");
	close(s);
}

static void op_clone(const struct op *o)
{
	static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT };
	uint64_t flags = o->v[0].u, mode = o->v[1].u;
	if (mode != CLONE_DETACH && mode != CLONE_WAIT)
		fail("clone", EINVAL, "unknown mode %llu", ULL(mode));
	/* Block the forwarded signals so none slips by before the parent's handlers are set. */
	sigset_t fwd, old;
	sigemptyset(&fwd);
	for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		sigaddset(&fwd, forwarded[i]);
	sigprocmask(SIG_BLOCK, &fwd, &old);
	/* gate: the child waits for its EOF, so J gets "PID n" before any message of the child. */
	int gate[2];
	if (pipe2(gate, O_CLOEXEC) < 0)
		fail("pipe2", errno, "clone");
	pid_t pid = clone_fork(flags);
	if (pid < 0)
		fail("clone", errno, "flags 0x%llx", ULL(flags));
	if (pid == 0) {
		if (proxy_sock >= 0) {
			close(proxy_sock);
			proxy_sock = -1;
		}
		close(gate[1]);
		char c;
		while (read(gate[0], &c, 1) < 0 && errno == EINTR)
			;
		close(gate[0]);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return; /* the child runs the rest of the plan */
	}
	close(gate[0]);
	if (msg("PID %d", pid) < 0) {
		int e = errno;
		kill(pid, SIGKILL);
		fail("write", e, "PID %d", pid);
	}
	close(gate[1]);

	/* The parent holds nothing J or the container needs: stdio, and at fd 3 either sync_in
	 * (mode 0) or the CONSOLE_PAIR end it relays the pty from (mode 1), if any. */
	close(sync_out);
	sync_out = -1;
	int keep = mode == CLONE_DETACH ? sync_in : proxy_sock;
	if (keep >= 0 && keep != 3 && dup3(keep, 3, O_CLOEXEC) < 0)
		_exit(1);
	fds_from(keep >= 0 ? 4 : 3, 1);
	if (mode == CLONE_DETACH) {
		/* Outlive the child's talk with J: the JDK closes its pipes to a child when the child exits,
		 * so stay until J closes its end of sync_in (at the end of create, or once a detached exec
		 * has exec'd). The container's process is then reparented, as with runc. */
		sigprocmask(SIG_SETMASK, &old, NULL);
		/* Never read: the bytes on sync_in are the child's. Poll with no events wakes only on
		 * POLLHUP, when J's (the only) write end is closed. */
		struct pollfd p = { 3, 0, 0 };
		for (;;) {
			int n = poll(&p, 1, -1);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 || (p.revents & (POLLHUP | POLLERR | POLLNVAL)))
				break;
		}
		_exit(0);
	}
	sync_in = -1; /* closed by fds_from */
	/* CLONE_WAIT: forward signals, relay the pty if asked, wait for the child, pass on its status. */
	console_sock = -1; /* closed above */
	proxy_sock = keep >= 0 ? 3 : -1;
	child_pid = pid;
	struct sigaction sa = { .sa_handler = forward_signal, .sa_flags = SA_RESTART };
	for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		if (proxy_sock < 0 || forwarded[i] != SIGWINCH)
			sigaction(forwarded[i], &sa, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (proxy_sock >= 0)
		proxy_console();
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			_exit(1);
	monitor_exit(WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st));
}

static void op_sync(const struct op *o)
{
	if (msg("SYNC %s", o->v[0].s) < 0)
		fail("write", errno, "SYNC %s", o->v[0].s);
	wait_reply();
}

static void op_notify(const struct op *o)
{
	if (msg("NOTIFY %s", o->v[0].s) < 0)
		fail("write", errno, "NOTIFY %s", o->v[0].s);
}

/* Credentials are set with raw syscalls: the stage is single-threaded, so glibc's
 * broadcast to all threads is not needed (and its thread list is stale after CLONE). */
static void set_ids(uint64_t uid, uint64_t gid)
{
	if (syscall(SYS_setresgid, (gid_t)gid, (gid_t)gid, (gid_t)gid) < 0)
		fail("setresgid", errno, "gid %llu", ULL(gid));
	if (syscall(SYS_setresuid, (uid_t)uid, (uid_t)uid, (uid_t)uid) < 0)
		fail("setresuid", errno, "uid %llu", ULL(uid));
}

static void op_setresid(const struct op *o) { set_ids(o->v[0].u, o->v[1].u); }

static void op_sethostname(const struct op *o)
{
	if (sethostname(o->v[0].s, o->v[0].len) < 0)
		fail("sethostname", errno, "%s", o->v[0].s);
}

static void op_setdomainname(const struct op *o)
{
	if (setdomainname(o->v[0].s, o->v[0].len) < 0)
		fail("setdomainname", errno, "%s", o->v[0].s);
}

static void op_mount_propagation(const struct op *o)
{
	if (mount(NULL, o->v[0].s, NULL, o->v[1].u, NULL) < 0)
		fail("mount", errno, "propagation 0x%llx of %s", ULL(o->v[1].u), o->v[0].s);
}

static void op_rootfs(const struct op *o)
{
	const char *path = o->v[0].s;
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		fail("mount", errno, "bind %s on itself", path);
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		fail("open", errno, "%s", path);
	if (root_fd >= 0)
		close(root_fd);
	root_fd = fd;
}

static void op_mount(const struct op *o)
{
	const char *src = o->v[0].s, *dst = o->v[1].s, *type = o->v[2].s, *data = o->v[4].s;
	uint64_t flags = o->v[3].u, ext = o->v[5].u, nprop = o->v[6].n;
	char sbuf[32], tbuf[32];
	int sfd = -1;
	if (ext & MNT_SRC_IN_ROOT)
		sfd = open_in_root(src, NO_CREATE);
	int tfd = open_in_root(dst, ext & MNT_MKDIR ? MKDIRS : ext & MNT_MKFILE ? MKFILE : NO_CREATE);
	unsigned long mflags = flags & ~(ext & MNT_BIND_REMOUNT ? MS_RDONLY : 0UL);
	if (mount(sfd >= 0 ? fdpath(sbuf, sfd) : nul(src), fdpath(tbuf, tfd), nul(type), mflags, nul(data)) < 0)
		fail("mount", errno, "%s on %s", src, dst);
	close(tfd);
	if (sfd >= 0)
		close(sfd);
	if (!(ext & (MNT_BIND_REMOUNT | MNT_RRO)) && !nprop)
		return;

	/* The fd above still names the directory now covered: reopen to reach the new mount. */
	tfd = open_in_root(dst, NO_CREATE);
	fdpath(tbuf, tfd);
	if (ext & MNT_BIND_REMOUNT) {
		unsigned long f = MS_BIND | MS_REMOUNT | flags;
		if (mount(NULL, tbuf, NULL, f, NULL) < 0 &&
		    (errno != EPERM || mount(NULL, tbuf, NULL, f | mount_flags(tfd, dst), NULL) < 0))
			fail("remount", errno, "%s flags 0x%lx", dst, f);
	}
	if (ext & MNT_RRO) { /* recursive attributes (rro, rnosuid, ...): attr_set, attr_clr */
		struct mount_attr a = { .attr_set = o->v[7].u, .attr_clr = o->v[8].u };
		if (mount_setattr(tfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof a) < 0)
			fail("mount_setattr", errno, "%s set 0x%llx clear 0x%llx", dst, ULL(a.attr_set), ULL(a.attr_clr));
	}
	for (uint64_t i = 0; i < nprop; i++)
		if (mount(NULL, tbuf, NULL, o->v[6].uv[i], NULL) < 0)
			fail("mount", errno, "propagation 0x%llx of %s", ULL(o->v[6].uv[i]), dst);
	close(tfd);
}

static void op_mknod(const struct op *o)
{
	const char *target = o->v[0].s, *name;
	uint64_t t = o->v[1].u;
	mode_t type = t == 'c' ? S_IFCHR : t == 'b' ? S_IFBLK : t == 'p' ? S_IFIFO : 0;
	if (!type)
		fail("mknodat", EINVAL, "%s: unknown type %llu", target, ULL(t));
	mode_t mode = o->v[4].u & 07777;
	char buf[PATH_MAX];
	int dir = open_parent(target, buf, &name);
	struct stat st;
	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode) && unlinkat(dir, name, 0) < 0)
		fail("unlinkat", errno, "%s", target);
	if (mknodat(dir, name, type | mode, makedev(o->v[2].u, o->v[3].u)) < 0)
		fail("mknodat", errno, "%s", target);
	/* chmod again: mknodat's mode went through the umask. The node was just made
	 * and the container runs nothing yet, so it cannot have become a symlink. */
	if (fchmodat(dir, name, mode, 0) < 0)
		fail("fchmodat", errno, "%s", target);
	if (fchownat(dir, name, (uid_t)o->v[5].u, (gid_t)o->v[6].u, AT_SYMLINK_NOFOLLOW) < 0)
		fail("fchownat", errno, "%s", target);
	close(dir);
}

static void op_bind_dev(const struct op *o)
{
	char tbuf[32];
	int fd = open_in_root(o->v[0].s, MKFILE);
	if (mount(o->v[1].s, fdpath(tbuf, fd), NULL, MS_BIND, NULL) < 0)
		fail("mount", errno, "bind %s on %s", o->v[1].s, o->v[0].s);
	close(fd);
}

static void op_symlink(const struct op *o)
{
	char buf[PATH_MAX];
	const char *name;
	int dir = open_parent(o->v[0].s, buf, &name);
	if (symlinkat(o->v[1].s, dir, name) < 0 && errno != EEXIST)
		fail("symlinkat", errno, "%s -> %s", o->v[0].s, o->v[1].s);
	close(dir);
}

static void op_pivot_root(const struct op *o)
{
	(void)o;
	if (root_fd < 0)
		fail("rootfs", EBADF, "no ROOTFS op before PIVOT_ROOT");
	if (fchdir(root_fd) < 0)
		fail("fchdir", errno, "root");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		fail("pivot_root", errno, ".");
	/* The old root is now stacked on "."; detach it without propagating the unmount. */
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		fail("mount", errno, "old root rslave");
	if (umount2(".", MNT_DETACH) < 0)
		fail("umount2", errno, "old root");
	if (chdir("/") < 0)
		fail("chdir", errno, "/");
}

static void op_chroot_move(const struct op *o)
{
	(void)o;
	if (root_fd < 0)
		fail("rootfs", EBADF, "no ROOTFS op before CHROOT_MOVE");
	if (fchdir(root_fd) < 0)
		fail("fchdir", errno, "root");
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		fail("mount", errno, "move root to /");
	if (chroot(".") < 0)
		fail("chroot", errno, ".");
	if (chdir("/") < 0)
		fail("chdir", errno, "/");
}

static void op_mask(const struct op *o)
{
	const char *path = o->v[0].s;
	struct stat st;
	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			return;
		fail("stat", errno, "%s", path);
	}
	if (S_ISDIR(st.st_mode) ? mount("tmpfs", path, "tmpfs", MS_RDONLY, NULL) < 0
	                        : mount("/dev/null", path, NULL, MS_BIND, NULL) < 0)
		fail("mount", errno, "mask %s with %s", path, S_ISDIR(st.st_mode) ? "a read-only tmpfs" : "/dev/null");
}

static void op_readonly(const struct op *o)
{
	const char *path = o->v[0].s;
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
		if (errno == ENOENT)
			return;
		fail("mount", errno, "bind %s on itself", path);
	}
	remount_ro(path);
}

static void op_remount_ro(const struct op *o) { remount_ro(o->v[0].s); }

static void op_console(const struct op *o)
{
	if (console_sock < 0)
		fail("console", EBADF, "no CONSOLE_SOCKET before CONSOLE");
	int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		fail("open", errno, "/dev/ptmx");
	int unlock = 0;
	unsigned n;
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0)
		fail("unlockpt", errno, "/dev/ptmx");
	if (ioctl(m, TIOCGPTN, &n) < 0)
		fail("ioctl", errno, "TIOCGPTN");
	char name[32];
	snprintf(name, sizeof name, "/dev/pts/%u", n);
	int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0)
		s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0)
		fail("open", errno, "%s", name);
	if (o->v[0].u > 0) {
		struct winsize ws = { .ws_row = o->v[0].u, .ws_col = o->v[1].u };
		if (ioctl(m, TIOCSWINSZ, &ws) < 0)
			fail("ioctl", errno, "TIOCSWINSZ");
	}
	int c = open("/dev/console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (c >= 0)
		close(c);
	else if (errno != EEXIST)
		fail("open", errno, "/dev/console");
	if (mount(name, "/dev/console", NULL, MS_BIND, NULL) < 0)
		fail("mount", errno, "bind %s on /dev/console", name);
	if (send_fd(console_sock, m, name, strlen(name)) < 0)
		fail("sendmsg", errno, "console master");
	close(m);
	close(console_sock);
	console_sock = -1;
	if (setsid() < 0 && errno != EPERM)
		fail("setsid", errno, "console");
	if (ioctl(s, TIOCSCTTY, 0) < 0)
		fail("ioctl", errno, "TIOCSCTTY");
	for (int fd = 0; fd <= 2; fd++)
		if (dup2(s, fd) < 0)
			fail("dup2", errno, "console to fd %d", fd);
	if (s > 2)
		close(s);
}

static void op_setsid(const struct op *o)
{
	(void)o;
	if (setsid() < 0 && errno != EPERM)
		fail("setsid", errno, "setsid");
}

/* Feeds the state to a hook's stdin (`in`, closed here) and waits for the hook to
 * exit, at most timeout seconds (0: no limit). Returns its wait status. */
static int wait_hook(pid_t pid, int in, uint64_t timeout)
{
	int pfd = syscall(SYS_pidfd_open, pid, 0);
	if (pfd < 0) {
		int e = errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fail("pidfd_open", e, "hook pid %d", pid);
	}
	fcntl(in, F_SETFL, O_NONBLOCK);
	if (!state_len) {
		close(in);
		in = -1;
	}
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	uint64_t limit_ms = timeout > UINT64_MAX / 1000 ? UINT64_MAX : timeout * 1000;
	size_t off = 0;
	for (;;) {
		int wait_ms = -1;
		if (timeout) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			uint64_t spent = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
			if (spent >= limit_ms) {
				kill(pid, SIGKILL);
				waitpid(pid, NULL, 0);
				fail("hook", ETIMEDOUT, "timed out after %llu s", ULL(timeout));
			}
			wait_ms = limit_ms - spent > INT_MAX ? INT_MAX : (int)(limit_ms - spent);
		}
		struct pollfd p[2] = { { pfd, POLLIN, 0 }, { in, POLLOUT, 0 } };
		int r = poll(p, in >= 0 ? 2 : 1, wait_ms);
		if (r < 0 && errno != EINTR)
			fail("poll", errno, "hook pid %d", pid);
		if (r <= 0)
			continue;
		if (p[0].revents)
			break; /* the hook exited */
		if (in >= 0 && p[1].revents) {
			ssize_t w = write(in, state + off, state_len - off);
			if (w > 0)
				off += w;
			/* EPIPE & co: the hook does not read its stdin, which is its business */
			if ((w < 0 && errno != EAGAIN && errno != EINTR) || off == state_len) {
				close(in);
				in = -1;
			}
		}
	}
	if (in >= 0)
		close(in);
	close(pfd);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			fail("waitpid", errno, "hook pid %d", pid);
	return st;
}

static void op_hook(const struct op *o)
{
	const char *path = o->v[0].s;
	int in[2], ep[2]; /* the hook's stdin; a pipe that reports a failed execve */
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(ep, O_CLOEXEC) < 0)
		fail("pipe2", errno, "%s", path);
	pid_t pid = fork();
	if (pid < 0)
		fail("fork", errno, "%s", path);
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		if (move_fd(in[0], 0) == 0)
			execve(path, o->v[2].sv, o->v[3].sv);
		int e = errno;
		if (write(ep[1], &e, sizeof e) < 0)
			_exit(127);
		_exit(127);
	}
	close(in[0]);
	close(ep[1]);
	int e;
	ssize_t n = read_full(ep[0], &e, sizeof e);
	close(ep[0]);
	if (n == sizeof e) {
		close(in[1]);
		waitpid(pid, NULL, 0);
		fail("execve", e, "%s", path);
	}
	int st = wait_hook(pid, in[1], o->v[1].u);
	if (WIFSIGNALED(st))
		fail("hook", 0, "killed by signal %d", WTERMSIG(st));
	if (WEXITSTATUS(st))
		fail("hook", 0, "exit status %d", WEXITSTATUS(st));
}

static void op_setrlimit(const struct op *o)
{
	struct rlimit rl = { .rlim_cur = o->v[1].u, .rlim_max = o->v[2].u };
	if (prlimit(0, o->v[0].u, &rl, NULL) < 0)
		fail("prlimit", errno, "resource %llu soft %llu hard %llu", ULL(o->v[0].u), ULL(rl.rlim_cur),
		     ULL(rl.rlim_max));
}

static void op_no_new_privs(const struct op *o)
{
	(void)o;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail("prctl", errno, "PR_SET_NO_NEW_PRIVS");
}

static void op_caps_bounding(const struct op *o)
{
	long last = read_number("/proc/sys/kernel/cap_last_cap");
	if (last < 0 || last > 63)
		last = 63; /* unknown: go until the kernel says EINVAL */
	for (int cap = 0; cap <= last; cap++) {
		if (o->v[0].u >> cap & 1)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				break;
			fail("prctl", errno, "PR_CAPBSET_DROP %d", cap);
		}
	}
}

static void op_user(const struct op *o)
{
	uint64_t n = o->v[3].n;
	gid_t *g = malloc((n + 1) * sizeof *g);
	if (!g)
		fail("setgroups", ENOMEM, "%llu groups", ULL(n));
	for (uint64_t i = 0; i < n; i++)
		g[i] = o->v[3].uv[i];
	/* EPERM with no groups: setgroups is denied in this user namespace, nothing to drop. */
	if (syscall(SYS_setgroups, n, g) < 0 && !(errno == EPERM && n == 0))
		fail("setgroups", errno, "%llu groups", ULL(n));
	free(g);
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		fail("prctl", errno, "PR_SET_KEEPCAPS 1");
	set_ids(o->v[0].u, o->v[1].u);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		fail("prctl", errno, "PR_SET_KEEPCAPS 0");
	if (o->v[2].u != ~0ULL)
		umask(o->v[2].u & 0777);
}

static void op_caps(const struct op *o)
{
	uint64_t eff = o->v[0].u, perm = o->v[1].u, inh = o->v[2].u, amb = o->v[3].u;
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {
		{ .effective = (uint32_t)eff, .permitted = (uint32_t)perm, .inheritable = (uint32_t)inh },
		{ .effective = eff >> 32, .permitted = perm >> 32, .inheritable = inh >> 32 },
	};
	if (syscall(SYS_capset, &h, d) < 0)
		fail("capset", errno, "eff 0x%llx perm 0x%llx inh 0x%llx", ULL(eff), ULL(perm), ULL(inh));
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		fail("prctl", errno, "PR_CAP_AMBIENT_CLEAR_ALL");
	for (int cap = 0; cap < 64; cap++)
		if (amb >> cap & 1 && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			fail("prctl", errno, "PR_CAP_AMBIENT_RAISE %d", cap);
}

static void op_chdir(const struct op *o)
{
	const char *path = o->v[0].s;
	char cwd[PATH_MAX];
	/* Resolved in the root with no magic link on the way: a /proc/self/fd/N (or /proc/PID/cwd, ...) can
	 * never make an fd the stage holds the container's cwd, wherever it points (CVE-2024-21626). */
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		fail("open", errno, "/");
	long fd;
	int tries = 0;
	do
		fd = syscall(SYS_openat2, root, path, &how, sizeof how);
	while (fd < 0 && errno == EAGAIN && ++tries < 64);
	if (fd < 0 && errno == ELOOP)
		fail("chdir", ELOOP, "%s (a /proc magic link such as /proc/self/fd/N is refused)", path);
	if (fd < 0)
		fail("chdir", errno, "%s", path);
	close(root);
	if (fchdir(fd) < 0)
		fail("chdir", errno, "%s", path);
	close(fd);
	/* A cwd outside the root (e.g. a leaked host fd, CVE-2024-21626) has no path from "/". */
	if (!getcwd(cwd, sizeof cwd))
		fail("getcwd", errno, "after chdir %s", o->v[0].s);
	if (cwd[0] != '/')
		fail("getcwd", ENOENT, "cwd %s is outside the root", cwd);
}

static void op_close_fds(const struct op *o) { fds_from(o->v[0].u > INT_MAX ? INT_MAX : o->v[0].u, 0); }

/* 0 if `path` is an executable regular file, else the errno to report. */
static int check_exec(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return errno;
	if (!S_ISREG(st.st_mode))
		return EACCES;
	return access(path, X_OK) < 0 ? errno : 0;
}

static void op_find_exec(const struct op *o)
{
	const char *file = o->v[0].s, *path = o->v[1].s;
	free(exec_path);
	exec_path = NULL;
	if (strchr(file, '/')) {
		int e = check_exec(file);
		if (e)
			fail("find_exec", e, "%s", file);
		exec_path = strdup(file);
		return;
	}
	int err = ENOENT;
	if (*file && *path) {
		for (const char *d = path;; d++) { /* an empty PATH entry means "." */
			size_t dl = strcspn(d, ":");
			char buf[PATH_MAX];
			int n = snprintf(buf, sizeof buf, "%.*s/%s", dl ? (int)dl : 1, dl ? d : ".", file);
			int e = n < (int)sizeof buf ? check_exec(buf) : ENAMETOOLONG;
			if (!e) {
				exec_path = strdup(buf);
				return;
			}
			if (e == EACCES)
				err = EACCES;
			d += dl;
			if (!*d)
				break;
		}
	}
	fail("find_exec", err, "%s: %s", file,
	     err == EACCES ? "permission denied" : "executable file not found in $PATH");
}

static void op_wait_start(const struct op *o)
{
	(void)o;
	if (fifo_fd < 0)
		fail("wait_start", EBADF, "no OPEN_FIFO before WAIT_START");
	char c;
	ssize_t n;
	do
		n = read(fifo_fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		fail("read", errno, "exec fifo");
	if (n == 0)
		fail("read", EPIPE, "EOF on the exec fifo");
	close(fifo_fd);
	fifo_fd = -1;
}

static void op_seccomp(const struct op *o)
{
	uint64_t flags = o->v[0].u;
	uint32_t len = o->v[1].len;
	if (!len || len % sizeof(struct sock_filter) || len / sizeof(struct sock_filter) > USHRT_MAX)
		fail("seccomp", EINVAL, "filter of %u bytes", len);
	struct sock_filter *f = malloc(len); /* an aligned copy */
	if (!f)
		fail("seccomp", ENOMEM, "filter of %u bytes", len);
	memcpy(f, o->v[1].s, len);
	struct sock_fprog prog = { .len = len / sizeof *f, .filter = f };
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, (unsigned)flags, &prog);
	if (r < 0)
		fail("seccomp", errno, "flags 0x%llx, %u instructions", ULL(flags), prog.len);
	if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
		listener_fd = r; /* the kernel made it close-on-exec */
	free(f);
}

static void op_exec(const struct op *o)
{
	if (!exec_path)
		fail("execve", EINVAL, "no FIND_EXEC before EXEC");
	signal(SIGPIPE, SIG_DFL); /* an ignored signal would stay ignored in the container */
	execve(exec_path, o->v[0].sv, o->v[1].sv);
	int e = errno;
	signal(SIGPIPE, SIG_IGN);
	fail("execve", e, "%s", exec_path);
}

static void op_set_dumpable(const struct op *o)
{
	if (prctl(PR_SET_DUMPABLE, o->v[0].u, 0, 0, 0) < 0)
		fail("prctl", errno, "PR_SET_DUMPABLE %llu", ULL(o->v[0].u));
}

static void op_close_fd(const struct op *o)
{
	uint64_t fd = o->v[0].u;
	if (fd > INT_MAX || (int)fd == sync_in || (int)fd == sync_out)
		fail("close", EBADF, "fd %llu", ULL(fd));
	close((int)fd); /* errors ignored: the fd is closed (or was not open) either way */
}

static void op_seccomp_listener(const struct op *o)
{
	/* o->v[1] (metadata) is unused: J puts it inside the state payload it sends. */
	if (listener_fd < 0)
		fail("seccomp_listener", EBADF, "no SECCOMP with NEW_LISTENER before");
	if (!state_len)
		fail("seccomp_listener", EINVAL, "no state payload to send");
	int s = unix_connect(o->v[0].s);
	if (send_fd(s, listener_fd, state, state_len) < 0)
		fail("sendmsg", errno, "%s", o->v[0].s);
	close(s);
	close(listener_fd);
	listener_fd = -1;
}

static void op_open_fifo(const struct op *o)
{
	const char *path = o->v[0].s;
	if (mkfifo(path, 0600) < 0)
		fail("mkfifo", errno, "%s", path);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fail("open", errno, "%s", path);
	if (fifo_fd >= 0)
		close(fifo_fd);
	fifo_fd = fd;
}

static void op_console_socket(const struct op *o)
{
	int s = unix_connect(o->v[0].s);
	if (console_sock >= 0)
		close(console_sock);
	console_sock = s;
}

/* ------------------------------------------------------------------ dispatch */

/* Argument signature letters: s string (no NUL inside), b bytes, u u64,
 * S string list, U u64 list (a u64 count, then that many items). */
static const struct opdef {
	const char *name, *sig;
	op_fn *run;
} defs[] = {
	[1] = { "SETNS", "su", op_setns },
	[2] = { "UNSHARE", "u", op_unshare },
	[3] = { "WRITE_FILE", "sb", op_write_file },
	[4] = { "CLONE", "uu", op_clone },
	[5] = { "SYNC", "s", op_sync },
	[6] = { "NOTIFY", "s", op_notify },
	[7] = { "SETRESID", "uu", op_setresid },
	[8] = { "SETHOSTNAME", "s", op_sethostname },
	[9] = { "SETDOMAINNAME", "s", op_setdomainname },
	[10] = { "MOUNT_PROPAGATION", "su", op_mount_propagation },
	[11] = { "ROOTFS", "s", op_rootfs },
	[12] = { "MOUNT", "sssusuUuu", op_mount },
	[13] = { "MKNOD", "suuuuuu", op_mknod },
	[14] = { "BIND_DEV", "ss", op_bind_dev },
	[15] = { "SYMLINK", "ss", op_symlink },
	[16] = { "PIVOT_ROOT", "", op_pivot_root },
	[17] = { "CHROOT_MOVE", "", op_chroot_move },
	[18] = { "MASK", "s", op_mask },
	[19] = { "READONLY", "s", op_readonly },
	[20] = { "REMOUNT_RO", "s", op_remount_ro },
	[21] = { "CONSOLE", "uu", op_console },
	[22] = { "SETSID", "", op_setsid },
	[23] = { "HOOK", "suSS", op_hook },
	[24] = { "SETRLIMIT", "uuu", op_setrlimit },
	[25] = { "NO_NEW_PRIVS", "", op_no_new_privs },
	[26] = { "CAPS_BOUNDING", "u", op_caps_bounding },
	[27] = { "USER", "uuuU", op_user },
	[28] = { "CAPS", "uuuu", op_caps },
	[29] = { "CHDIR", "s", op_chdir },
	[30] = { "CLOSE_FDS", "u", op_close_fds },
	[31] = { "FIND_EXEC", "ss", op_find_exec },
	[32] = { "WAIT_START", "", op_wait_start },
	[33] = { "SECCOMP", "ub", op_seccomp },
	[34] = { "EXEC", "SS", op_exec },
	[35] = { "SET_DUMPABLE", "u", op_set_dumpable },
	[36] = { "CLOSE_FD", "u", op_close_fd },
	[37] = { "SECCOMP_LISTENER", "ss", op_seccomp_listener },
	[38] = { "OPEN_FIFO", "s", op_open_fifo },
	[39] = { "CONSOLE_SOCKET", "s", op_console_socket },
	[40] = { "CONSOLE_PAIR", "", op_console_pair },
	[41] = { "LOOPBACK_UP", "", op_loopback_up },
	[42] = { "EXIT_MONITOR", "sSSu", op_exit_monitor },
};

/* ------------------------------------------------------------------ plan parser */

/* A bounds-checked cursor over the plan. */
struct rd {
	const unsigned char *p, *start, *end;
};

static const unsigned char *take(struct rd *r, size_t n)
{
	if ((size_t)(r->end - r->p) < n)
		return NULL;
	const unsigned char *q = r->p;
	r->p += n;
	return q;
}

#define BAD(...) fail("plan", EINVAL, __VA_ARGS__)

/* One argument: u32 len, len bytes, NUL. */
static void take_arg(struct rd *r, const char *op, unsigned i, const char **s, uint32_t *len)
{
	const unsigned char *q = take(r, 4);
	if (!q)
		BAD("%s: argument %u: truncated at offset %td", op, i, r->p - r->start);
	memcpy(len, q, 4);
	q = take(r, (size_t)*len + 1);
	if (!q)
		BAD("%s: argument %u: %u bytes, only %td left", op, i, *len, r->end - r->p);
	if (q[*len])
		BAD("%s: argument %u: no NUL after its %u bytes", op, i, *len);
	*s = (const char *)q;
}

/* Decodes one argument of type t ('s', 'b' or 'u') into v. */
static void decode(struct rd *r, const char *op, unsigned i, char t, struct val *v)
{
	take_arg(r, op, i, &v->s, &v->len);
	if (t == 's' && memchr(v->s, 0, v->len))
		BAD("%s: argument %u: NUL inside a string", op, i);
	if (t == 'u') {
		if (v->len != 8)
			BAD("%s: argument %u: an integer must have 8 bytes, not %u", op, i, v->len);
		memcpy(&v->u, v->s, 8);
	}
}

static void parse_op(struct rd *r, struct op *o, uint32_t index)
{
	static char where[32];
	snprintf(where, sizeof where, "op %u", index);
	label = where;
	const unsigned char *h = take(r, 8);
	if (!h)
		BAD("op header truncated at offset %td", r->p - r->start);
	uint16_t code, argc;
	uint32_t llen;
	memcpy(&code, h, 2);
	memcpy(&argc, h + 2, 2);
	memcpy(&llen, h + 4, 4);
	const unsigned char *l = take(r, (size_t)llen + 1);
	if (!l || l[llen] || memchr(l, 0, llen))
		BAD("label of %u bytes truncated or malformed at offset %td", llen, h + 8 - r->start);
	o->label = label = (const char *)l;
	if (code >= sizeof defs / sizeof defs[0] || !defs[code].run)
		BAD("unknown opcode %u", code);
	o->code = code;

	const char *name = defs[code].name, *sig = defs[code].sig;
	unsigned i = 0; /* arguments consumed */
	for (int k = 0; sig[k]; k++) {
		struct val *v = &o->v[k];
		char t = sig[k];
		if (i >= argc)
			BAD("%s: %u arguments, more expected", name, argc);
		if (t == 's' || t == 'b' || t == 'u') {
			decode(r, name, i++, t, v);
			continue;
		}
		/* a list: its count, then the items */
		decode(r, name, i++, 'u', v);
		v->n = v->u;
		if (v->n > (uint64_t)(argc - i))
			BAD("%s: list of %llu items, only %u arguments left", name, ULL(v->n), argc - i);
		if (t == 'S')
			v->sv = calloc(v->n + 1, sizeof *v->sv);
		else
			v->uv = calloc(v->n + 1, sizeof *v->uv);
		if (!v->sv && !v->uv)
			fail("plan", ENOMEM, "%s: list of %llu items", name, ULL(v->n));
		for (uint64_t j = 0; j < v->n; j++) {
			struct val item = { 0 };
			decode(r, name, i++, t == 'S' ? 's' : 'u', &item);
			if (t == 'S')
				v->sv[j] = (char *)item.s;
			else
				v->uv[j] = item.u;
		}
	}
	if (i != argc)
		BAD("%s: %u arguments, %u expected", name, argc, i);
}

static struct op *parse_plan(const unsigned char *buf, size_t size, uint32_t *count)
{
	struct rd r = { buf, buf, buf + size };
	label = "plan";
	const unsigned char *h = take(&r, 12);
	if (!h || memcmp(h, "CAPSAPL1", 8))
		BAD("bad header (plan of %zu bytes)", size);
	memcpy(count, h + 8, 4);
	if (*count > size / 9) /* an op takes at least 9 bytes: a cheap sanity bound */
		BAD("%u ops cannot fit in %zu bytes", *count, size);
	struct op *ops = calloc(*count + 1, sizeof *ops);
	if (!ops)
		fail("plan", ENOMEM, "%u ops", *count);
	for (uint32_t i = 0; i < *count; i++)
		parse_op(&r, &ops[i], i);
	label = "plan";
	if (r.p != r.end)
		BAD("%td bytes after the last op", r.end - r.p);
	return ops;
}

/* ------------------------------------------------------------------ start */

/* Re-executes the stage from a sealed memfd copy of itself, unless it already runs
 * from one: /proc/PID/exe of every stage process must be unwritable (CVE-2019-5736). */
static void reexec_sealed(char **argv, char **envp)
{
	const int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe < 0)
		fail("open", errno, "/proc/self/exe");
	int have = fcntl(exe, F_GET_SEALS);
	if (have >= 0 && (have & seals) == seals) {
		close(exe);
		return;
	}
	int m = memfd_create("capsa-stage", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (m < 0)
		fail("memfd_create", errno, "capsa-stage");
	ssize_t n;
	while ((n = sendfile(m, exe, NULL, 1 << 20)) > 0)
		;
	if (n < 0)
		fail("sendfile", errno, "/proc/self/exe to memfd");
	if (fcntl(m, F_ADD_SEALS, seals) < 0)
		fail("fcntl", errno, "F_ADD_SEALS");
	close(exe);
	syscall(SYS_execveat, m, "", argv, envp, AT_EMPTY_PATH);
	fail("execveat", errno, "sealed memfd");
}

/* Takes J's fds FDS[i] (argv[1], "0,1,2,3") into slots i, J's pipes up out of the way. */
static void take_fds(const char *list)
{
	int fds[1024], k = 0;
	for (const char *p = list; *p;) {
		char *end;
		errno = 0;
		long fd = strtol(p, &end, 10);
		if (errno || end == p || fd < 0 || fd > INT_MAX || (*end && *end != ',') || k == 1024)
			fail("start", EINVAL, "bad fd list \"%s\"", list);
		fds[k++] = fd;
		p = *end ? end + 1 : end;
	}
	int low = k > 3 ? k : 3;
	sync_in = move_up(0, low);
	sync_out = move_up(1, low);

	pid_t ppid = getppid();
	int pidfd = syscall(SYS_pidfd_open, ppid, 0);
	if (pidfd < 0)
		fail("pidfd_open", errno, "parent %d", ppid);
	if (getppid() != ppid)
		_exit(1); /* J died: the pidfd may name someone else */
	pidfd = move_up(pidfd, low);
	for (int i = 0; i < k; i++) {
		int fd = syscall(SYS_pidfd_getfd, pidfd, fds[i], 0);
		if (fd < 0 && errno == EBADF) {
			/* Closed in J: closed in the container too. A close-on-exec placeholder
			 * keeps the stage's own fds out of the slot until then. */
			int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
			if (null < 0 || (null != i && dup3(null, i, O_CLOEXEC) < 0))
				fail("open", errno, "/dev/null for closed fd %d", fds[i]);
			if (null != i)
				close(null);
			continue;
		}
		if (fd < 0)
			fail("pidfd_getfd", errno, "fd %d of process %d", fds[i], ppid);
		if (move_fd(fd, i) < 0)
			fail("dup3", errno, "fd %d of process %d to %d", fds[i], ppid, i);
	}
	close(pidfd);
	fds_from(k, 0);
}

int main(int argc, char **argv, char **envp)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc != 2)
		fail("start", EINVAL, "usage: capsa-stage FDS");
	reexec_sealed(argv, envp);
	take_fds(argv[1]);

	uint32_t size, count;
	label = "plan";
	char *plan = read_frame("plan", &size);
	if (!plan)
		_exit(1); /* J went away before sending a plan */
	struct op *ops = parse_plan((const unsigned char *)plan, size, &count);
	for (uint32_t i = 0; i < count; i++) {
		label = ops[i].label;
		defs[ops[i].code].run(&ops[i]);
	}
	return 0; /* a plan without EXEC (e.g. only hooks) ends here */
}
