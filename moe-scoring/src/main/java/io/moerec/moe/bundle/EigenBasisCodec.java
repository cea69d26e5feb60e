package io.moerec.moe.bundle;

import io.moerec.moe.routing.EigenBasis;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;

/** The eigen router's basis as an array file: mean, scale, eigenvalues, then one basis row per eigenvalue. */
final class EigenBasisCodec {

    private EigenBasisCodec() {
    }

    static void write(Path f, EigenBasis b) throws IOException {
        try (DataOutputStream out = BinaryArrays.create(f)) {
            BinaryArrays.doubles(out, b.mean());
            BinaryArrays.doubles(out, b.scale());
            BinaryArrays.doubles(out, b.eigenvalues());
            for (double[] row : b.basis()) {
                BinaryArrays.doubles(out, row);
            }
        }
    }

    static EigenBasis read(Path f) throws IOException {
        String name = f.getFileName().toString();
        try (DataInputStream in = BinaryArrays.open(f)) {
            double[] mean = BinaryArrays.doubles(in, name);
            double[] scale = BinaryArrays.doubles(in, name);
            double[] values = BinaryArrays.doubles(in, name);
            double[][] q = new double[values.length][];
            for (int j = 0; j < q.length; j++) {
                q[j] = BinaryArrays.doubles(in, name);
            }
            return new EigenBasis(mean, scale, q, values);
        }
    }
}
