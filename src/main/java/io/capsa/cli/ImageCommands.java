package io.capsa.cli;

import io.capsa.front.FrontException;
import io.capsa.image.ConsoleProgress;
import io.capsa.image.Image;
import io.capsa.image.Images;
import io.capsa.image.Platform;
import io.capsa.image.PullProgress;
import io.capsa.image.Reference;
import io.capsa.image.registry.CredentialStore;
import io.capsa.image.registry.Credentials;
import io.capsa.image.store.Archives;
import io.capsa.image.store.ImageStore;
import io.capsa.image.store.StoreLock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code capsa}'s image commands (Docker's), over the image library (docs/images.md). */
final class ImageCommands {
    private ImageCommands() {}

    @Command(name = "images", description = "List images")
    static final class ImagesCmd implements Callable<Integer> {
        @ParentCommand CapsaCommand root;
        @Option(names = {"-q", "--quiet"}, description = "only show image ids") boolean quiet;
        @Option(names = "--no-trunc", description = "do not truncate output") boolean noTrunc;
        @Option(names = {"-a", "--all"}, description = "show all images (the same here)") boolean all;
        @Option(names = "--help", usageHelp = true, description = "show help") boolean help;
        @Parameters(arity = "0..1", paramLabel = "REPOSITORY[:TAG]") String filter;

        @Override
        public Integer call() {
            ImageStore store = root.containers().images();
            Instant now = Instant.now();
            Tables.Table t = new Tables.Table("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
            List<String> ids = new ArrayList<>();
            for (Image img : store.images()) {
                String id = noTrunc ? img.id().toString() : img.id().shortHex();
                List<String> names = img.names().isEmpty() ? List.of("") : img.names();
                for (String n : names) {
                    Reference r = n.isEmpty() ? null : Reference.parse(n);
                    if (filter != null && (r == null || !matches(r, filter))) continue;
                    if (quiet) {
                        if (!ids.contains(id)) ids.add(id);
                        continue;
                    }
                    String created = img.config().created();
                    t.row(r == null ? "<none>" : r.familiarName(), r == null || r.tag() == null ? "<none>" : r.tag(), id,
                            created == null ? "" : Tables.ago(created, now), ConsoleProgress.human(img.size()));
                }
            }
            if (quiet) ids.forEach(root.out::println);
            else t.print(root.out);
            return 0;
        }

        private static boolean matches(Reference r, String filter) {
            int colon = filter.lastIndexOf(':');
            String repo = colon > 0 && !filter.substring(colon).contains("/") ? filter.substring(0, colon) : filter;
            String tag = repo.equals(filter) ? null : filter.substring(colon + 1);
            boolean repoOk = r.familiarName().equals(repo) || r.name().equals(repo);
            return repoOk && (tag == null || tag.equals(r.tag()));
        }
    }

    @Command(name = "pull", description = "Download an image from a registry")
    static final class Pull implements Callable<Integer> {
        @ParentCommand CapsaCommand root;
        @Option(names = {"-q", "--quiet"}, description = "no progress; print the image name only") boolean quiet;
        @Option(names = "--platform", description = "os/arch[/variant] of the image (default: this host's)") String platform;
        @Option(names = "--help", usageHelp = true, description = "show help") boolean help;
        @Parameters(index = "0", paramLabel = "NAME[:TAG|@DIGEST]") String ref;

        @Override
        public Integer call() {
            Images images = root.images();
            PullProgress progress = quiet ? PullProgress.QUIET : ConsoleProgress.forStream(root.out);
            Reference r = Reference.parse(ref);
            if (!quiet && r.tag() != null && r.digest() == null && !ref.contains(":" + r.tag())) root.out.println("Using default tag: " + r.tag());
            Image img = images.pull(ref, new Images.PullOptions(platform == null ? Platform.host() : Platform.parse(platform), 3, progress));
            if (quiet) {
                root.out.println(r.toString());
                return 0;
            }
            root.out.println("Digest: " + img.manifestDigest());
            root.out.println("Status: Image is up to date for " + r.familiar());
            root.out.println(r.toString());
            return 0;
        }
    }

    @Command(name = "rmi", description = "Remove images")
    static final class Rmi implements Callable<Integer> {
        @ParentCommand CapsaCommand root;
        @Option(names = {"-f", "--force"}, description = "remove the image even if a container uses it") boolean force;
        @Option(names = "--help", usageHelp = true, description = "show help") boolean help;
        @Parameters(arity = "1..*", paramLabel = "IMAGE") List<String> names;

        @Override
        public Integer call() {
            ImageStore store = root.containers().images();
            int rc = 0;
            for (String n : names) {
                try {
                    ImageStore.Removal r = store.remove(n, force);
                    r.untagged().forEach(u -> root.out.println("Untagged: " + u));
                    r.deleted().forEach(d -> root.out.println("Deleted: " + d));
                } catch (RuntimeException e) {
                    root.err.println("Error: " + e.getMessage());
                    rc = 1;
                }
            }
            return rc;
        }
    }

    @Command(name = "tag", description = "Give an image another name")
    static final class Tag implements Callable<Integer> {
        @ParentCommand CapsaCommand root;
        @Option(names = "--help", usageHelp = true, description = "show help") boolean help;
        @Parameters(index = "0", paramLabel = "SOURCE") String source;
        @Parameters(index = "1", paramLabel = "TARGET") String target;

        @Override
        public Integer call() {
            ImageStore store = root.containers().images();
            store.tag(store.resolve(source), Reference.parse(target));
            return 0;
        }
    }

    @Command(name = "load", description = "Load images from a tar archive (docker-archive or OCI layout, gzip'd or not) or an OCI layout directory")
    static final class Load implements Callable<Integer> {
        @ParentCommand CapsaCommand root;
        @Option(names = {"-i", "--input"}, description = "read from this file or directory (default: stdin)") String input;
        @Option(names = {"-q", "--quiet"}, description = "no progress") boolean quiet;
        @Option(names = "--name", description = "name for images the archive leaves unnamed") String name;
        @Option(names = "--help", usageHelp = true, description = "show help") boolean help;

        @Override
        public Integer call() throws IOException {
            ImageStore store = root.containers().images();
            Path src;
            if (input != null) {
                src = root.resolve(input);
                if (!Files.exists(src)) throw new FrontException("open " + src + ": no such file or directory", 1);
                load(store, src);
                return 0;
            }
            // stdin is spooled into tmp/: under the store lock (shared) from the start, else a gc or the
            // tidying of another pull or load (which empty tmp/ when no operation holds the lock) deletes it
            try (StoreLock l = store.sharedLock()) {
                Path tmp = Files.createTempFile(store.tmpDir(), "load-", ".tar");
                try {
                    Files.copy(root.in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    load(store, tmp);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
            return 0;
        }

        private void load(ImageStore store, Path src) {
            PullProgress progress = quiet ? PullProgress.QUIET : ConsoleProgress.forStream(root.err);
            for (Image img : new Archives(store).load(src, name, Platform.host(), progress)) {
                if (img.names().isEmpty()) root.out.println("Loaded image ID: " + img.id());
                for (String n : img.names()) root.out.println("Loaded image: " + Reference.parse(n).familiar());
            }
        }
    }

    @Command(name = "save", description = "Save images to a tar archive (docker-archive by default)")
    static final class Save implements Callable<Integer> {
        @ParentCommand CapsaCommand root;
        @Option(names = {"-o", "--output"}, description = "write to this file (default: stdout)") String output;
        @Option(names = "--format", description = "docker-archive (default), oci-archive or oci-dir") String format = "docker-archive";
        @Option(names = "--help", usageHelp = true, description = "show help") boolean help;
        @Parameters(arity = "1..*", paramLabel = "IMAGE") List<String> names;

        @Override
        public Integer call() throws IOException {
            ImageStore store = root.containers().images();
            Archives.Format f = switch (format) {
                case "docker-archive", "docker" -> Archives.Format.DOCKER_ARCHIVE;
                case "oci-archive", "oci" -> Archives.Format.OCI_TAR;
                case "oci-dir" -> Archives.Format.OCI_DIR;
                default -> throw new FrontException("--format " + format + ": expected docker-archive, oci-archive or oci-dir", 1);
            };
            if (output != null) {
                new Archives(store).save(names, root.resolve(output), f);
                return 0;
            }
            if (f == Archives.Format.OCI_DIR) throw new FrontException("--format oci-dir needs -o DIR", 1);
            // the archive is written into tmp/ first: under the store lock (shared), which keeps gc (and the
            // tidying of pulls and loads) from emptying tmp/ meanwhile
            try (StoreLock l = store.sharedLock()) {
                Path tmp = Files.createTempFile(store.tmpDir(), "save-", ".tar");
                try {
                    Files.delete(tmp);
                    new Archives(store).save(names, tmp, f);
                    Files.copy(tmp, root.out);
                    root.out.flush();
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
            return 0;
        }
    }

    @Command(name = "login", description = "Log in to a registry (the credentials are checked, then kept in ~/.config/capsa/auth.json)")
    static final class Login implements Callable<Integer> {
        @ParentCommand CapsaCommand root;
        @Option(names = {"-u", "--username"}, description = "user name") String user;
        @Option(names = {"-p", "--password"}, description = "password (prefer --password-stdin)") String password;
        @Option(names = "--password-stdin", description = "read the password from stdin") boolean passwordStdin;
        @Option(names = "--help", usageHelp = true, description = "show help") boolean help;
        @Parameters(arity = "0..1", paramLabel = "SERVER") String server;

        @Override
        public Integer call() {
            String registry = registry(server);
            BufferedReader in = new BufferedReader(new InputStreamReader(root.in, StandardCharsets.UTF_8));
            try {
                if (passwordStdin) {
                    if (password != null) throw new FrontException("--password and --password-stdin are mutually exclusive", 1);
                    if (user == null) throw new FrontException("Must provide --username with --password-stdin", 1);
                    password = in.readLine();
                }
                if (user == null) {
                    root.out.print("Username: ");
                    root.out.flush();
                    user = in.readLine();
                }
                if (password == null) {
                    var console = System.console();
                    if (console != null) {
                        char[] p = console.readPassword("Password: ");
                        password = p == null ? null : new String(p);
                    } else {
                        root.out.print("Password: ");
                        root.out.flush();
                        password = in.readLine();
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (user == null || user.isEmpty() || password == null || password.isEmpty())
                throw new FrontException("Error: user name and password are required", 1);
            Credentials c = new Credentials(user, password.strip());
            root.images().client().login(registry, c);
            CredentialStore.defaults().store(registry, c);
            root.out.println("Login Succeeded");
            return 0;
        }
    }

    @Command(name = "logout", description = "Log out from a registry")
    static final class Logout implements Callable<Integer> {
        @ParentCommand CapsaCommand root;
        @Option(names = "--help", usageHelp = true, description = "show help") boolean help;
        @Parameters(arity = "0..1", paramLabel = "SERVER") String server;

        @Override
        public Integer call() {
            String registry = registry(server);
            if (CredentialStore.defaults().remove(registry)) root.out.println("Removing login credentials for " + registry);
            else root.out.println("Not logged in to " + registry);
            return 0;
        }
    }

    /** host[:port] of a registry argument (a URL or a name; default Docker Hub). */
    static String registry(String server) {
        return server == null || server.isEmpty() ? Reference.DOCKER_HUB : CredentialStore.hostOf(server);
    }
}
