package com.eazepay.backup.benchmarks;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class PaymentRowsTest {

    @Test
    void sameSeedAndSizeGiveTheSameBytesOfExactlyThatSize() {
        byte[] a = PaymentRows.generate(300_000);
        byte[] b = PaymentRows.generate(300_000);
        assertThat(a).hasSize(300_000);
        assertThat(Arrays.equals(a, b)).isTrue();
        assertThat(Arrays.equals(a, PaymentRows.generate(300_000, 42))).isFalse();
    }

    @Test
    void rowsLookLikeAPaymentsTableExport() {
        String text = new String(PaymentRows.generate(200_000), StandardCharsets.US_ASCII);
        String[] lines = text.split("\n");
        assertThat(lines[0]).startsWith("id,merchant_id,customer_id,amount,currency,status,created_at");
        // every complete row: an id, a decimal amount, an ISO currency, a status and a UTC timestamp
        for (int i = 1; i < lines.length - 1; i++) {
            assertThat(lines[i]).matches("pay_\\d+,mrc_\\d+,cus_\\d+,\\d+\\.\\d\\d,[A-Z]{3},[A-Z]+,"
                    + "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+00,.*,EZP-[0-9a-f]{12},\"\\{.*\\}\"");
        }
        assertThat(lines.length).isGreaterThan(1_000);
    }

    @Test
    void writeRepeatedWritesExactlyTheRequestedBytesCyclingTheBlock() throws IOException {
        byte[] block = {1, 2, 3, 4, 5};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PaymentRows.writeRepeated(block, 12, out);
        assertThat(out.toByteArray()).containsExactly(1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2);
    }

    @Test
    void randomDataIsDeterministicAndNotRows() {
        assertThat(Arrays.equals(PaymentRows.random(4096), PaymentRows.random(4096))).isTrue();
        assertThat(new String(PaymentRows.random(4096), StandardCharsets.ISO_8859_1)).doesNotContain("pay_");
    }
}
