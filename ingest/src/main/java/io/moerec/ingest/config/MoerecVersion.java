package io.moerec.ingest.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * moerec's version, as {@code --version} reports it: from {@code moerec-version.properties}, which the
 * build fills in with the project's version (so it is right on a classpath of directories too, where
 * no jar manifest exists), else the jar manifest's {@code Implementation-Version}, else "development".
 */
public final class MoerecVersion {

    static final String RESOURCE = "moerec-version.properties";

    private MoerecVersion() {
    }

    /** The version of the running build. */
    public static String current() {
        try (InputStream in = MoerecVersion.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "").trim();
                if (!v.isEmpty() && !v.startsWith("${")) {
                    return v;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        String v = MoerecVersion.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }
}
