package com.eazepay.backup.redis.internal;

import java.util.function.Supplier;

/** LZF decompression as in Redis's {@code lzf_d.c}. Stateless; thread-safe. */
public final class Lzf {

    private Lzf() {
    }

    /**
     * Decompresses {@code in} into exactly {@code outLen} bytes.
     *
     * @param invalid supplies the exception thrown when the data is not valid LZF
     */
    public static <E extends RuntimeException> byte[] decompress(byte[] in, int outLen, Supplier<E> invalid) {
        byte[] out = new byte[outLen];
        int ip = 0;
        int op = 0;
        while (ip < in.length) {
            int ctrl = in[ip++] & 0xff;
            if (ctrl < 32) {
                int n = ctrl + 1;
                if (op + n > outLen || ip + n > in.length) {
                    throw invalid.get();
                }
                System.arraycopy(in, ip, out, op, n);
                ip += n;
                op += n;
            } else {
                int n = ctrl >> 5;
                int ref = op - ((ctrl & 0x1f) << 8) - 1;
                if (n == 7) {
                    if (ip >= in.length) {
                        throw invalid.get();
                    }
                    n += in[ip++] & 0xff;
                }
                if (ip >= in.length) {
                    throw invalid.get();
                }
                ref -= in[ip++] & 0xff;
                n += 2;
                if (ref < 0 || op + n > outLen) {
                    throw invalid.get();
                }
                for (int i = 0; i < n; i++) {
                    out[op++] = out[ref++];
                }
            }
        }
        if (op != outLen) {
            throw invalid.get();
        }
        return out;
    }
}
