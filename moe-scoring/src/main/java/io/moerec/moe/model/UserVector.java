package io.moerec.moe.model;

import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.UserPreferenceFeatures;

/**
 * The user feature vector every model of the MoE reads: a pure function of
 * {@link UserPreferenceFeatures}, identical in training and serving. Layout (version
 * {@link #VERSION}): entries {@code 0..17} the normalised genre affinity (indexed by
 * {@link Genre#ordinal()}), then log1p of the decayed activity, log1p of the lifetime event count, the
 * share of skips and the share of completions. Logs and shares keep every entry O(1) so that SGD needs
 * no separate standardisation step that would have to be shipped with the model.
 */
public final class UserVector {

    /** Bumped whenever the layout or a transformation changes; stored in model bundles. */
    public static final int VERSION = 1;

    public static final int ACTIVITY = Genre.COUNT;
    public static final int EVENTS = Genre.COUNT + 1;
    public static final int SKIP_SHARE = Genre.COUNT + 2;
    public static final int COMPLETE_SHARE = Genre.COUNT + 3;
    /** Length of the vector. */
    public static final int DIM = Genre.COUNT + 4;

    private UserVector() {
    }

    public static double[] of(UserPreferenceFeatures f) {
        double[] out = new double[DIM];
        of(f, out);
        return out;
    }

    /** Writes the vector into {@code out} (length {@link #DIM}), allocating only the normalised affinity. */
    public static void of(UserPreferenceFeatures f, double[] out) {
        double[] a = f.genreAffinityNormalised();
        System.arraycopy(a, 0, out, 0, Genre.COUNT);
        out[ACTIVITY] = Math.log1p(Math.max(0.0, f.activity()));
        long total = 0;
        for (long c : f.eventCounts()) {
            total += c;
        }
        out[EVENTS] = Math.log1p(total);
        out[SKIP_SHARE] = total == 0 ? 0.0 : (double) f.eventCounts()[EventType.SKIP.ordinal()] / total;
        out[COMPLETE_SHARE] = total == 0 ? 0.0 : (double) f.eventCounts()[EventType.COMPLETE.ordinal()] / total;
    }

    /** Feature names as given to Tribuo; the index in this array is the vector index. */
    public static String[] featureNames() {
        String[] names = new String[DIM];
        for (int i = 0; i < DIM; i++) {
            names[i] = name(i);
        }
        return names;
    }

    public static String name(int i) {
        if (i < Genre.COUNT) {
            return "u.aff." + Genre.ofIndex(i).wireName();
        }
        return switch (i - Genre.COUNT) {
            case 0 -> "u.activity";
            case 1 -> "u.events";
            case 2 -> "u.skipShare";
            case 3 -> "u.completeShare";
            default -> throw new IndexOutOfBoundsException(i);
        };
    }
}
