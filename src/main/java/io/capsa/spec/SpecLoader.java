package io.capsa.spec;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads config.json (and other OCI JSON files) into the model with {@link RecordJson}, reporting errors as
 * {@link SpecException}s that name the file and the JSON path: {@code config.json: process.args: expected an
 * array of strings}, {@code config.json: malformed JSON at line 3 column 5: ...},
 * {@code config.json: not found in /path/bundle}.
 */
public final class SpecLoader {
    /** The config file name inside a bundle. */
    public static final String CONFIG_FILE = "config.json";

    private SpecLoader() {
    }

    /** Reads and parses {@code bundleDir/config.json} (no semantic validation: see {@link SpecValidator}). */
    public static Spec load(Path bundleDir) {
        Path file = bundleDir.resolve(CONFIG_FILE);
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new SpecException(CONFIG_FILE + ": not found in " + bundleDir, e);
        } catch (AccessDeniedException e) {
            throw new SpecException(CONFIG_FILE + ": cannot read " + file + ": permission denied", e);
        } catch (IOException e) {
            throw new SpecException(CONFIG_FILE + ": cannot read " + file + ": " + e.getMessage(), e);
        }
        return parse(data, Spec.class, CONFIG_FILE);
    }

    /** Reads any JSON file of the model (e.g. a process.json as {@link ProcessSpec}); errors name the file. */
    public static <T> T readFile(Path file, Class<T> type) {
        String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new SpecException(name + ": not found: " + file, e);
        } catch (IOException e) {
            throw new SpecException(name + ": cannot read " + file + ": " + e.getMessage(), e);
        }
        return parse(data, type, name);
    }

    /**
     * Parses JSON bytes as {@code type} with {@link RecordJson} (no jackson-databind). The top-level value must be
     * an object.
     *
     * @param fileName used as the message prefix (e.g. "config.json", "process.json", "--resources")
     */
    public static <T> T parse(byte[] data, Class<T> type, String fileName) {
        T value = Json.read(data, type, fileName);
        if (value == null) {
            throw new SpecException(fileName + ": expected an object, got null");
        }
        return value;
    }

    /** Parses JSON text; see {@link #parse(byte[], Class, String)}. */
    public static <T> T parse(String json, Class<T> type, String fileName) {
        return parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), type, fileName);
    }

    // ---- paths in messages -------------------------------------------------------------------------------------

    /** Appends a map key: {@code .key} if it is an identifier, else {@code ["key"]}. */
    static void appendKey(StringBuilder path, String key) {
        if (isIdentifier(key)) {
            if (!path.isEmpty()) {
                path.append('.');
            }
            path.append(key);
        } else {
            path.append("[\"").append(key.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"]");
        }
    }

    /** [A-Za-z_][A-Za-z0-9_]* */
    private static boolean isIdentifier(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean letter = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_';
            if (!letter && (i == 0 || c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }
}
