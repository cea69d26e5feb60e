package io.moerec.features.flink;

import io.moerec.ingest.json.EventRules;
import io.moerec.ingest.json.InvalidRecordException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes {@code user-deletions} records: the Kafka key is the id of the user to forget (UTF-8, a
 * valid user id); the value is not read. A record without a valid key is logged and counted
 * ({@code deletionsRejected}), never applied: it names nobody.
 */
public final class DecodeUserDeletionFunction extends ProcessFunction<RawRecord, UserInput> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DecodeUserDeletionFunction.class);

    private transient Counter rejected;
    private transient Counter requests;

    @Override
    public void open(OpenContext openContext) {
        rejected = getRuntimeContext().getMetricGroup().counter("deletionsRejected");
        requests = getRuntimeContext().getMetricGroup().counter("deletionRequests");
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<UserInput> out) {
        String user = userId(raw.getKey());
        if (user == null) {
            rejected.inc();
            LOG.warn("a user-deletions record without a valid user id as its key at {}: ignored", raw.position());
            return;
        }
        requests.inc();
        out.collect(UserInput.deletion(user));
    }

    /** The key as a valid user id, or {@code null}. */
    static String userId(byte[] key) {
        if (key == null) {
            return null;
        }
        try {
            String id = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(key)).toString();
            EventRules.checkId("userId", id);
            return id;
        } catch (CharacterCodingException | InvalidRecordException e) {
            return null;
        }
    }
}
