package io.moerec.moe.bundle;

import io.moerec.moe.model.CompiledExpert;
import io.moerec.moe.model.CompiledFmExpert;
import io.moerec.moe.model.CompiledLinearExpert;
import io.moerec.moe.model.ExpertKind;
import io.moerec.moe.model.MovieTable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A compiled expert's weights as an array file. Linear: the bias (an array of one) and the weights.
 * FM: the per-label biases, the factor count k, then for each of the two labels its linear weights
 * and k factor rows. The expert kind is not in the file; the bundle's descriptor names it.
 */
final class CompiledExpertCodec {

    /** Bounds the factor count read back, so a damaged file fails with a message. */
    private static final int MAX_FACTORS = 4096;

    private CompiledExpertCodec() {
    }

    static void write(Path f, CompiledExpert e) throws IOException {
        try (DataOutputStream out = BinaryArrays.create(f)) {
            if (e instanceof CompiledLinearExpert l) {
                BinaryArrays.doubles(out, new double[] {l.bias()});
                BinaryArrays.doubles(out, l.weights());
            } else if (e instanceof CompiledFmExpert fm) {
                BinaryArrays.doubles(out, fm.bias());
                double[][] w = fm.linearWeights();
                double[][][] v = fm.factorWeights();
                out.writeInt(v[0].length);
                for (int l = 0; l < 2; l++) {
                    BinaryArrays.doubles(out, w[l]);
                    for (double[] row : v[l]) {
                        BinaryArrays.doubles(out, row);
                    }
                }
            }
        }
    }

    static CompiledExpert read(Path f, ExpertKind kind, MovieTable table) throws IOException {
        String name = f.getFileName().toString();
        try (DataInputStream in = BinaryArrays.open(f)) {
            if (kind == ExpertKind.LINEAR) {
                double[] bias = BinaryArrays.doubles(in, name);
                if (bias.length != 1) {
                    throw new InvalidBundleException(name + ": expected one bias, got " + bias.length);
                }
                return CompiledLinearExpert.of(bias[0], BinaryArrays.doubles(in, name), table);
            }
            double[] bias = BinaryArrays.doubles(in, name);
            int k = in.readInt();
            if (k < 1 || k > MAX_FACTORS) {
                throw new InvalidBundleException(name + ": implausible factor count " + k);
            }
            double[][] w = new double[2][];
            double[][][] v = new double[2][k][];
            for (int l = 0; l < 2; l++) {
                w[l] = BinaryArrays.doubles(in, name);
                for (int q = 0; q < k; q++) {
                    v[l][q] = BinaryArrays.doubles(in, name);
                }
            }
            return CompiledFmExpert.of(bias, w, v, table);
        }
    }
}
