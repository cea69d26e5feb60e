package io.moerec.moe.bundle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * A bundle's {@code MANIFEST.sha256}: one {@code sha256sum}-style line ({@code <hex>  <path>}) per file,
 * sorted by path, covering every file but itself. {@link #readVerified} checks every listed file before
 * the caller deserializes anything. The manifest proves integrity against itself, not who wrote it:
 * live model updates therefore pin the manifest's own sha256 in their announcement, while the
 * start-up bundle ({@code model.path}) is trusted as operator configuration.
 */
final class BundleManifest {

    private static final int HEX_LENGTH = 64;

    /** Relative path (with {@code /}) to lower-case hex sha256, sorted by path. */
    private final TreeMap<String, String> sums;

    private BundleManifest(Map<String, String> sums) {
        this.sums = new TreeMap<>(sums);
    }

    /** Hashes every regular file under {@code dir} except the manifest and {@code excluded}. */
    static BundleManifest hashFiles(Path dir, String excluded) throws IOException {
        Map<String, String> sums = new TreeMap<>();
        try (var files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String rel = dir.relativize(p).toString().replace('\\', '/');
                if (!rel.equals(ModelBundle.MANIFEST) && !rel.equals(excluded)) {
                    sums.put(rel, sha256(Files.readAllBytes(p)));
                }
            }
        }
        return new BundleManifest(sums);
    }

    /** This manifest with {@code file} (relative to {@code dir}) hashed and added. */
    BundleManifest with(Path dir, String file) throws IOException {
        BundleManifest out = new BundleManifest(sums);
        out.sums.put(file, sha256(Files.readAllBytes(dir.resolve(file))));
        return out;
    }

    /** {@code moe-} and the first 16 hex digits of this manifest's text: a version that names the content. */
    String version() {
        return "moe-" + sha256(text().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    }

    void write(Path dir) throws IOException {
        Files.writeString(dir.resolve(ModelBundle.MANIFEST), text(), StandardCharsets.UTF_8);
    }

    boolean covers(String file) {
        return sums.containsKey(file);
    }

    private String text() {
        StringBuilder sb = new StringBuilder();
        sums.forEach((path, sum) -> sb.append(sum).append("  ").append(path).append('\n'));
        return sb.toString();
    }

    /**
     * Reads the manifest of {@code dir} and checks that every file it lists exists inside the bundle
     * with that checksum.
     *
     * @throws InvalidBundleException naming the first missing, modified or escaping file
     */
    static BundleManifest readVerified(Path dir) {
        BundleManifest manifest = read(dir);
        for (Map.Entry<String, String> e : manifest.sums.entrySet()) {
            Path f = resolveInside(dir, e.getKey());
            String actual;
            try {
                actual = sha256(Files.readAllBytes(f));
            } catch (NoSuchFileException nf) {
                throw new InvalidBundleException("bundle " + dir + " lacks " + e.getKey() + " listed in its manifest");
            } catch (IOException io) {
                throw new UncheckedIOException("reading " + f, io);
            }
            if (!actual.equals(e.getValue())) {
                throw new InvalidBundleException("checksum mismatch in bundle " + dir + " for " + e.getKey() + ": manifest has "
                        + e.getValue() + ", file has " + actual + " (the file is corrupted or was modified)");
            }
        }
        return manifest;
    }

    private static BundleManifest read(Path dir) {
        Path f = dir.resolve(ModelBundle.MANIFEST);
        if (!Files.isRegularFile(f)) {
            throw new InvalidBundleException(dir + " is not a moerec model bundle: it has no " + ModelBundle.MANIFEST);
        }
        Map<String, String> out = new TreeMap<>();
        try {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                int sp = line.indexOf("  ");
                if (sp != HEX_LENGTH || !line.substring(0, HEX_LENGTH).matches("[0-9a-f]{64}")) {
                    throw new InvalidBundleException("bundle " + dir + ": malformed manifest line '" + line + "'");
                }
                out.put(line.substring(HEX_LENGTH + 2), line.substring(0, HEX_LENGTH));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + f, e);
        }
        return new BundleManifest(out);
    }

    private static Path resolveInside(Path dir, String rel) {
        Path p = dir.resolve(rel).normalize();
        if (!p.startsWith(dir.normalize()) || rel.equals(ModelBundle.MANIFEST)) {
            throw new InvalidBundleException("bundle " + dir + ": manifest entry " + rel + " points outside the bundle");
        }
        return p;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
