package com.eazepay.backup.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JmhTableTest {

    @Test
    void millisecondsPerOperationBecomeMegabytesPerSecondOfUncompressedData() throws Exception {
        String json = """
                [
                 {"benchmark":"com.eazepay.backup.benchmarks.CompressionBenchmark.compress","mode":"avgt",
                  "params":{"codec":"zstd1","data":"rows","sizeMiB":"1"},
                  "primaryMetric":{"score":10.0,"scoreError":"NaN","scoreUnit":"ms/op"}},
                 {"benchmark":"com.eazepay.backup.benchmarks.CompressionBenchmark.decompress","mode":"avgt",
                  "params":{"codec":"zstd1","data":"rows","sizeMiB":"1"},
                  "primaryMetric":{"score":5.0,"scoreError":1.0,"scoreUnit":"ms/op"}},
                 {"benchmark":"com.eazepay.backup.benchmarks.AgeBenchmark.encrypt","mode":"avgt",
                  "params":{"data":"random","sizeMiB":"1"},
                  "primaryMetric":{"score":2.0,"scoreError":"NaN","scoreUnit":"ms/op"}}
                ]""";
        String table = JmhTable.render(new ObjectMapper().readTree(json));
        // 1 MiB = 1.048576 MB: in 10 ms -> 105 MB/s; in 5 ± 1 ms -> 210 ± 20%; in 2 ms -> 524
        assertThat(table).contains("| zstd1 | rows | 0.").contains("| 105 | 210 ± 20% |");
        assertThat(table).contains("| random | 524 | - |");
    }
}
