package io.moerec.ingest.json;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Writes one record with Jackson's streaming generator; the codecs supply the body. */
final class JsonWriter {

    @FunctionalInterface
    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private JsonWriter() {
    }

    static byte[] write(int sizeHint, Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(sizeHint);
        try (JsonGenerator g = StrictJson.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("schemaVersion", 1);
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    static void checkSchemaVersion(StrictJson.Fields f) throws InvalidRecordException {
        Long v = f.optionalLong("schemaVersion");
        if (v != null && v != 1L) {
            throw new InvalidRecordException(RejectReason.UNSUPPORTED_SCHEMA_VERSION,
                    "field 'schemaVersion' is " + v + ", this reader knows version 1");
        }
    }
}
