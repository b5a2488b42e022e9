package io.capsa.image;

import java.util.regex.Pattern;

/**
 * An image reference normalized the way Docker does: {@code alpine} is {@code docker.io/library/alpine:latest},
 * {@code host:port/repo:tag}, {@code repo@sha256:...}. The first path component is a registry host when it
 * holds a '.' or a ':' or is {@code localhost}; otherwise the registry is Docker Hub ({@code docker.io}) and a
 * one-component name is in {@code library/}.
 *
 * @param registry   the registry host[:port], e.g. {@code docker.io}, {@code 127.0.0.1:5000}
 * @param repository the repository path, e.g. {@code library/alpine}
 * @param tag        the tag, or null when pulled by digest only
 * @param digest     the digest, or null
 */
public record Reference(String registry, String repository, String tag, Digest digest) {
    public static final String DOCKER_HUB = "docker.io";
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern HOST = Pattern.compile(
            "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
                    + "|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]+)?");

    public Reference {
        if (tag == null && digest == null) tag = "latest";
    }

    /** Parses and normalizes a reference; throws {@link ImageException} saying what is wrong with it. */
    public static Reference parse(String text) {
        if (text == null || text.isEmpty()) throw new ImageException("invalid reference format: empty image name");
        String s = text;
        Digest digest = null;
        int at = s.indexOf('@');
        if (at >= 0) {
            try {
                digest = Digest.parse(s.substring(at + 1));
            } catch (ImageException e) {
                throw new ImageException("invalid reference format: " + text + ": " + e.getMessage());
            }
            s = s.substring(0, at);
        }
        String tag = null;
        int slash = s.lastIndexOf('/');
        int colon = s.lastIndexOf(':');
        if (colon > slash) {
            tag = s.substring(colon + 1);
            s = s.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw new ImageException("invalid reference format: " + text + ": invalid tag \"" + tag + "\"");
            }
        }
        String registry;
        String repo;
        int first = s.indexOf('/');
        String head = first < 0 ? s : s.substring(0, first);
        if (first >= 0 && (head.contains(".") || head.contains(":") || head.equals("localhost")
                || !head.equals(head.toLowerCase(java.util.Locale.ROOT)))) {
            registry = head;
            repo = s.substring(first + 1);
            if (!HOST.matcher(registry).matches()) {
                throw new ImageException("invalid reference format: " + text + ": invalid registry \"" + registry + "\"");
            }
            if (registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) registry = DOCKER_HUB;
        } else {
            registry = DOCKER_HUB;
            repo = s;
        }
        if (registry.equals(DOCKER_HUB) && !repo.contains("/")) repo = "library/" + repo;
        if (repo.isEmpty()) throw new ImageException("invalid reference format: " + text + ": empty repository");
        for (String c : repo.split("/", -1)) {
            if (!COMPONENT.matcher(c).matches()) {
                if (!c.equals(c.toLowerCase(java.util.Locale.ROOT))) {
                    throw new ImageException("invalid reference format: " + text + ": repository name must be lowercase");
                }
                throw new ImageException("invalid reference format: " + text + ": invalid repository component \""
                        + c + "\"");
            }
        }
        if (registry.length() + 1 + repo.length() > 255) {
            throw new ImageException("invalid reference format: " + text + ": repository name must not be more than 255 characters");
        }
        return new Reference(registry, repo, tag, digest);
    }

    /** Whether the text parses as a reference. */
    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (ImageException e) {
            return false;
        }
    }

    /** {@code registry/repository}, e.g. {@code docker.io/library/alpine}. */
    public String name() {
        return registry + "/" + repository;
    }

    /** The same repository with this tag and no digest. */
    public Reference withTag(String newTag) {
        return new Reference(registry, repository, newTag, null);
    }

    /** The same repository with this digest and no tag. */
    public Reference withDigest(Digest d) {
        return new Reference(registry, repository, null, d);
    }

    /** The reference to ask the registry for: the digest if there is one, else the tag. */
    public String manifestReference() {
        return digest != null ? digest.toString() : tag;
    }

    /** The fully qualified form, e.g. {@code docker.io/library/alpine:latest}. */
    @Override
    public String toString() {
        return name() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    /** The short form Docker prints: {@code alpine:latest}, {@code user/app:1}, {@code host:5000/x:y}. */
    public String familiar() {
        String n = name();
        if (registry.equals(DOCKER_HUB)) {
            n = repository.startsWith("library/") && repository.indexOf('/', 8) < 0 ? repository.substring(8) : repository;
        }
        return n + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    /** The familiar repository name without tag or digest (the REPOSITORY column of {@code images}). */
    public String familiarName() {
        if (!registry.equals(DOCKER_HUB)) return name();
        return repository.startsWith("library/") && repository.indexOf('/', 8) < 0 ? repository.substring(8) : repository;
    }
}
