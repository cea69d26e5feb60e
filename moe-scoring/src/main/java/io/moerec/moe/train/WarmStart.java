package io.moerec.moe.train;

import io.moerec.ingest.domain.Genre;
import io.moerec.moe.MoeModel;
import io.moerec.moe.model.ExpertKind;
import io.moerec.moe.model.GenreClassifier;
import io.moerec.moe.model.GenreExpert;

/**
 * Retraining from an earlier model (the serving one): LINEAR experts and the gate start from its
 * weights, matched by feature name, and train {@code expertEpochs} and {@code gateEpochs} epochs instead
 * of the configuration's. Everything else (examples, seeds, the first stage, the eigen router) is
 * trained as from scratch, so the result is close to a fresh training on the same data, not equal to it.
 * An expert the earlier model lacks, or any expert when either model is not LINEAR, trains from zero.
 */
public record WarmStart(MoeModel from, int expertEpochs, int gateEpochs) {

    public WarmStart {
        java.util.Objects.requireNonNull(from, "from");
        if (expertEpochs < 1 || gateEpochs < 1) {
            throw new IllegalArgumentException("warm-start epochs must be at least 1, got " + expertEpochs + " and " + gateEpochs);
        }
    }

    /** The earlier model's expert of this name ({@code shared} or a genre's wire name) when usable as a start, else null. */
    GenreExpert expert(String name) {
        if (from.config().expert().kind() != ExpertKind.LINEAR) {
            return null;
        }
        GenreExpert e = "shared".equals(name) ? from.sharedExpert()
                : Genre.fromWireName(name).map(g -> from.expert(g.ordinal())).orElse(null);
        return e != null && e.kind() == ExpertKind.LINEAR ? e : null;
    }

    GenreClassifier gate() {
        return from.gate();
    }
}
