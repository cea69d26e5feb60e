package io.moerec.jobs.broker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.SslConfigs;

/**
 * The PKCS12 stores of the broker's TLS listener: the keystore with its certificate and key, and for
 * mutual TLS ({@code ssl.client.auth=required}) the truststore that client certificates must chain to.
 * The broker never creates key material itself.
 *
 * @param truststore {@code null} unless clients must present a certificate
 */
record TlsStores(Path keystore, String keystorePassword, Path truststore, String truststorePassword) {

    /** {@code password}, or a failure naming the store when it is missing or empty. */
    static String checkedPassword(String store, String password) {
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("the TLS " + store + " password must be non-empty");
        }
        return password;
    }

    /** Fails unless every store is readable now, before the broker reads them. */
    void checkReadable() {
        for (Path store : new Path[] {keystore, truststore}) {
            if (store != null && !Files.isReadable(store)) {
                throw new IllegalStateException("cannot read the TLS store " + store);
            }
        }
    }

    /** The listener's keystore and, for mutual TLS, its truststore and {@code ssl.client.auth}, each key after {@code prefix}. */
    Map<String, String> listenerProperties(String prefix) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(prefix + SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
        p.put(prefix + SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, keystore.toAbsolutePath().toString());
        p.put(prefix + SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, keystorePassword);
        if (truststore != null) {
            p.put(prefix + SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
            p.put(prefix + SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, truststore.toAbsolutePath().toString());
            p.put(prefix + SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, truststorePassword);
            p.put(prefix + "ssl.client.auth", "required");
        }
        return p;
    }
}
