package io.moerec.moe.lifecycle;

/**
 * What one training cycle did, kept as {@code report.json} beside its bundle in the {@link ModelStore}.
 *
 * @param sequence       the store's number of the entry (rising)
 * @param version        the bundle's version
 * @param createdAt      wall-clock time the entry was made, epoch ms
 * @param origin         {@code trainer} for a trained candidate, {@code import} for a bundle announced by hand
 * @param windowEvents   events in the training window
 * @param trainEvents    events before the hold-out cut, which the candidate was trained on
 * @param holdoutCut     event time of the first held-out event
 * @param scoredFrom     the first event time scored (the cut, or later if the serving model saw events after it)
 * @param trainSeconds   wall time of training
 * @param candidate      the candidate's hold-out score (null for an import)
 * @param servingVersion the model serving when the candidate was judged (null if none)
 * @param serving        its score on the same interactions (null if none)
 * @param announced      whether the decision was to announce the candidate
 * @param reason         why
 */
public record CycleReport(long sequence, String version, long createdAt, String origin, long windowEvents, long trainEvents,
                          long holdoutCut, long scoredFrom, double trainSeconds, HoldoutScore candidate, String servingVersion,
                          HoldoutScore serving, boolean announced, String reason) {

    public static final String TRAINER = "trainer";
    public static final String IMPORT = "import";

    /** The same report under the sequence and version the store gave it. */
    public CycleReport numbered(long seq, String v) {
        return new CycleReport(seq, v, createdAt, origin, windowEvents, trainEvents, holdoutCut, scoredFrom, trainSeconds, candidate,
                servingVersion, serving, announced, reason);
    }

    /** The report of a bundle brought into the store by hand (no scores). */
    public static CycleReport imported(long createdAt, String reason) {
        return new CycleReport(0, null, createdAt, IMPORT, 0, 0, 0, 0, 0, null, null, null, true, reason);
    }
}
