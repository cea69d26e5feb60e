package io.moerec.moe.routing;

import io.moerec.ingest.domain.Genre;
import io.moerec.moe.math.MoeMath;
import io.moerec.moe.model.GenreClassifier;
import java.util.Objects;

/**
 * The EMoE router: a user's energies on the eigenbasis go through a Tribuo multinomial model to one
 * logit per expert; top-k, weights renormalised. Routing on the shape of a user's feature energy
 * rather than on the raw features is what spreads load: the energy model is trained with
 * class-balanced example weights, so no prior makes one genre win for everyone.
 */
public final class EigenRouter implements Router {

    private final EigenBasis basis;
    private final GenreClassifier energyModel;
    private final int k;

    public EigenRouter(EigenBasis basis, GenreClassifier energyModel, int k) {
        this.basis = Objects.requireNonNull(basis, "basis");
        this.energyModel = Objects.requireNonNull(energyModel, "energyModel");
        if (energyModel.dimension() != basis.rank()) {
            throw new IllegalArgumentException("energy model reads " + energyModel.dimension() + " features, basis has rank " + basis.rank());
        }
        if (k < 1 || k > Genre.COUNT) {
            throw new IllegalArgumentException("router.topK must be in [1, " + Genre.COUNT + "], got " + k);
        }
        this.k = k;
    }

    @Override
    public String name() {
        return RouterKind.EIGEN.configName();
    }

    @Override
    public int maxExperts() {
        return k;
    }

    public EigenBasis basis() {
        return basis;
    }

    public GenreClassifier energyModel() {
        return energyModel;
    }

    @Override
    public int route(double[] user, int[] experts, double[] weights) {
        double[] e = new double[basis.rank()];
        basis.energies(user, e);
        double[] p = new double[Genre.COUNT];
        energyModel.probabilities(e, p);
        int[] chosen = new int[k];
        MoeMath.topK(p, chosen);
        MoeMath.renormalise(p, chosen, weights);
        System.arraycopy(chosen, 0, experts, 0, k);
        return k;
    }

    @Override
    public void rank(double[] user, int[] order, double[] probabilities) {
        double[] e = new double[basis.rank()];
        basis.energies(user, e);
        energyModel.probabilities(e, probabilities);
        MoeMath.topK(probabilities, order);
    }
}
