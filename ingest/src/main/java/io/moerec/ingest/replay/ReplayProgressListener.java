package io.moerec.ingest.replay;

/**
 * Hears how a replay is going: at most once per {@link ReplayOptions#progressInterval()} while it runs
 * and once at the end (with everything acknowledged). Called on the replaying thread, so it must be
 * quick; it must not throw.
 */
@FunctionalInterface
public interface ReplayProgressListener {

    ReplayProgressListener NONE = p -> { };

    void onProgress(ReplayProgress progress);
}
