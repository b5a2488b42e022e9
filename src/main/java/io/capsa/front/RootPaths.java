package io.capsa.front;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Paths inside a container's root filesystem, resolved as the container would see them: symbolic links are
 * followed relative to the root (an absolute target starts again at the root, ".." stops at it), so the result
 * never leaves the root however the image's links point. Used to read the image's /etc/passwd and to create the
 * working directory before the container starts.
 */
public final class RootPaths {
    private RootPaths() {}

    private static final int MAX_LINKS = 40;

    /**
     * The host path of {@code path} (absolute, as inside the container) under {@code root}. Existing components
     * are resolved; the first missing one and those after it are appended as they are.
     */
    public static Path resolve(Path root, String path) {
        Deque<String> todo = new ArrayDeque<>();
        push(todo, path);
        Deque<String> done = new ArrayDeque<>();
        int links = 0;
        boolean missing = false;
        while (!todo.isEmpty()) {
            String c = todo.pop();
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) {
                if (!done.isEmpty()) done.removeLast();
                continue;
            }
            Path cur = join(root, done).resolve(c);
            if (!missing && Files.isSymbolicLink(cur)) {
                if (++links > MAX_LINKS) throw new FrontException("too many levels of symbolic links in " + path);
                String target;
                try {
                    target = Files.readSymbolicLink(cur).toString();
                } catch (IOException e) {
                    throw new FrontException("cannot read the link " + cur + ": " + e.getMessage());
                }
                if (target.startsWith("/")) done.clear();
                push(todo, target);
                continue;
            }
            if (!missing && !Files.exists(cur, LinkOption.NOFOLLOW_LINKS)) missing = true;
            done.addLast(c);
        }
        return join(root, done);
    }

    private static void push(Deque<String> todo, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) todo.push(parts[i]);
    }

    private static Path join(Path root, Deque<String> parts) {
        Path p = root;
        for (String s : parts) p = p.resolve(s);
        return p;
    }

    /**
     * Creates directory {@code path} (and missing parents) inside the root, mode 0755, owned by root. The path is
     * resolved first (links followed inside the root); what is missing of the result is created component by
     * component, so nothing is created outside the root.
     */
    public static void mkdirs(Path root, String path) {
        Path p = resolve(root, path);
        Path cur = root;
        for (Path part : root.relativize(p)) {
            if (part.toString().isEmpty()) continue;
            cur = cur.resolve(part);
            if (Files.isDirectory(cur, LinkOption.NOFOLLOW_LINKS)) continue;
            if (Files.exists(cur, LinkOption.NOFOLLOW_LINKS))
                throw new FrontException("cannot create the directory " + path + " in the container: " + root.relativize(cur) + " is not a directory");
            try {
                Files.createDirectory(cur);
                io.capsa.sys.FsCalls.chmod(cur, 0755);
            } catch (IOException e) {
                throw new FrontException("cannot create the directory " + path + " in the container: " + e);
            }
        }
    }
}
