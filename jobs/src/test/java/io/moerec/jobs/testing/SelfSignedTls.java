package io.moerec.jobs.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.files.Directories;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Throw-away TLS material for tests, made at test time with the running JDK's own {@code keytool}
 * (nothing is committed): a broker keystore holding a self-signed certificate for
 * {@code IP:127.0.0.1, DNS:localhost} (no CA), a client truststore that trusts exactly that
 * certificate, and an unrelated truststore that trusts a different self-signed certificate (for the
 * "untrusted broker" case); a client keystore with its own self-signed certificate and a broker
 * truststore that trusts it, for mutual TLS. All stores are PKCS12 with random passwords, which
 * tests may look for in logs. Key pairs are EC P-256: fast to make and to handshake with on a slow
 * machine.
 *
 * <p>Three {@code keytool} runs cost seconds on a busy 2-core machine, so test classes share one set
 * per test JVM: {@link #shared(ExtensionContext)}, or a parameter of this type with
 * {@code @ExtendWith(SelfSignedTls.Resolver.class)}; JUnit deletes it when the run ends.
 */
public record SelfSignedTls(Store brokerKeystore, Store trusted, Store untrusted, Store clientKeystore, Store brokerTruststore) {

    /** A PKCS12 store and its password. */
    public record Store(Path path, String password) {
        @Override
        public String toString() {
            return "Store[" + path + "]"; // never the password
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(SelfSignedTls.class);
    private static final String SAN = "SAN=IP:127.0.0.1,DNS:localhost";
    private static final long KEYTOOL_DEADLINE_SECONDS = 60;

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(SelfSignedTls.class);

    /** The set of this test JVM, created on first use and deleted at the end of the test run. */
    public static SelfSignedTls shared(ExtensionContext context) {
        return context.getRoot().getStore(NS).getOrComputeIfAbsent(Shared.class, k -> Shared.create(), Shared.class).tls();
    }

    /** Resolves parameters of type {@link SelfSignedTls} to the {@link #shared} set. */
    public static final class Resolver implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
            return parameterContext.getParameter().getType() == SelfSignedTls.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
            return shared(extensionContext);
        }
    }

    /** A shared set and its directory, deleted when JUnit closes the root store. */
    private record Shared(Path dir, SelfSignedTls tls) implements AutoCloseable {
        static Shared create() {
            try {
                Path dir = Files.createTempDirectory("moerec-tls-");
                return new Shared(dir, SelfSignedTls.create(dir));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a directory for test TLS stores", e);
            }
        }

        @Override
        public void close() {
            Directories.deleteRecursively(dir);
        }
    }

    /** Creates the stores in {@code dir} (which must exist). */
    public static SelfSignedTls create(Path dir) {
        long t0 = System.nanoTime();
        Store broker = new Store(dir.resolve("broker-keystore.p12"), password());
        Store stranger = new Store(dir.resolve("stranger-keystore.p12"), password());
        Store client = new Store(dir.resolve("client-keystore.p12"), password());
        // Three keytool JVMs at once: about the time of one.
        List<Process> running = new ArrayList<>();
        running.add(genKeyPair(broker, "broker", "CN=localhost", SAN));
        running.add(genKeyPair(stranger, "stranger", "CN=unrelated", SAN));
        running.add(genKeyPair(client, "client", "CN=moerec-test-client", null));
        for (Process p : running) {
            await(p);
        }
        Store trusted = trustStore(dir.resolve("client-truststore.p12"), broker, "broker");
        Store untrusted = trustStore(dir.resolve("unrelated-truststore.p12"), stranger, "stranger");
        Store brokerTrust = trustStore(dir.resolve("broker-truststore.p12"), client, "client");
        LOG.info("made self-signed test TLS stores in {} with keytool in {} ms", dir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        return new SelfSignedTls(broker, trusted, untrusted, client, brokerTrust);
    }

    /** Every password of these stores, for checks that none is printed. */
    public String[] passwords() {
        return new String[] {brokerKeystore.password, trusted.password, untrusted.password, clientKeystore.password,
                brokerTruststore.password};
    }

    /**
     * Asserts that {@code message} is {@code KafkaAccessCheck}'s refusal of a broker certificate that
     * {@code truststore} does not trust: it says the SSL handshake failed, for whom and where, names
     * the truststore and the JDK's reason.
     */
    public static void assertUntrusted(String message, String who, String bootstrap, Store truststore) {
        assertTrue(message.contains(who + ": SSL handshake failed with Kafka " + bootstrap + " ("), message);
        assertTrue(message.contains("truststore " + truststore.path()), message);
        assertTrue(message.contains("unable to find valid certification path"), message);
    }

    private static String password() {
        return "tls-" + UUID.randomUUID();
    }

    private static Process genKeyPair(Store store, String alias, String dname, String extension) {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> cmd = new ArrayList<>(List.of(keytool.toString(),
                // A short-lived JVM: the interpreter plus C1 and the serial collector start fastest.
                "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC",
                "-genkeypair", "-noprompt",
                "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                "-dname", dname, "-validity", "7",
                "-storetype", "PKCS12", "-keystore", store.path().toString(),
                // From the environment, not the command line (which other users see in ps).
                "-storepass:env", "MOEREC_TEST_STOREPASS", "-keypass:env", "MOEREC_TEST_STOREPASS"));
        if (extension != null) {
            cmd.add("-ext");
            cmd.add(extension);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("MOEREC_TEST_STOREPASS", store.password());
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + keytool, e);
        }
    }

    private static void await(Process p) {
        try {
            if (!p.waitFor(KEYTOOL_DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("keytool did not finish within " + KEYTOOL_DEADLINE_SECONDS + " s");
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("keytool failed (exit " + p.exitValue() + "): " + output);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for keytool", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A truststore holding only the certificate of {@code alias} in {@code keystore}. */
    private static Store trustStore(Path path, Store keystore, String alias) {
        Store store = new Store(path, password());
        try (InputStream in = Files.newInputStream(keystore.path()); OutputStream out = Files.newOutputStream(path)) {
            KeyStore source = KeyStore.getInstance("PKCS12");
            source.load(in, keystore.password().toCharArray());
            Certificate cert = source.getCertificate(alias);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry(alias, cert);
            trust.store(out, store.password().toCharArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the truststore " + path, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the truststore " + path, e);
        }
        return store;
    }
}
