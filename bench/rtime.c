/* rtime OUT CMD...: runs CMD, waits for it and appends "wall_ms user_ms sys_ms maxrss_kib" to the file OUT.
 * CPU times come from wait4()'s rusage (microseconds; the command and the descendants it waited for), not
 * GNU time's 10 ms steps: crun's commands take a few milliseconds. Exits with the command's status. */
#define _GNU_SOURCE
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

int main(int argc, char **argv) {
    struct timespec a, b;
    struct rusage ru;
    int st;
    FILE *out;
    pid_t p;
    if (argc < 3) {
        fprintf(stderr, "usage: rtime OUT CMD...\n");
        return 127;
    }
    clock_gettime(CLOCK_MONOTONIC, &a);
    p = fork();
    if (p < 0) {
        perror("rtime: fork");
        return 127;
    }
    if (p == 0) {
        execvp(argv[2], argv + 2);
        perror(argv[2]);
        _exit(127);
    }
    if (wait4(p, &st, 0, &ru) < 0) {
        perror("rtime: wait4");
        return 127;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    out = fopen(argv[1], "a");
    if (out == NULL) {
        perror(argv[1]);
        return 127;
    }
    fprintf(out, "%.3f %.3f %.3f %ld\n",
            (double) (b.tv_sec - a.tv_sec) * 1e3 + (double) (b.tv_nsec - a.tv_nsec) / 1e6,
            (double) ru.ru_utime.tv_sec * 1e3 + (double) ru.ru_utime.tv_usec / 1e3,
            (double) ru.ru_stime.tv_sec * 1e3 + (double) ru.ru_stime.tv_usec / 1e3, ru.ru_maxrss);
    fclose(out);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
