package com.eazepay.backup.s3;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Replaces the real response to matching requests with an S3 error response, the first {@code times}
 * times (or always with {@code Integer.MAX_VALUE}): 503 SlowDown, 403 AccessDenied, 301
 * PermanentRedirect and so on, exactly as S3 would send them. The request itself did reach S3Proxy.
 */
final class FaultInterceptor implements ExecutionInterceptor {

    private final Predicate<SdkHttpRequest> matches;
    private final int status;
    private final String code;
    private final String message;
    private final Map<String, String> headers;
    private final AtomicInteger remaining;
    private final AtomicInteger injected = new AtomicInteger();
    private final ThreadLocal<Boolean> faulting = ThreadLocal.withInitial(() -> false);

    FaultInterceptor(Predicate<SdkHttpRequest> matches, int times, int status, String code, Map<String, String> headers) {
        this(matches, times, status, code, "injected " + code, headers);
    }

    /** With the S3 error message {@code message} (e.g. the text S3 sends for a KMS denial). */
    FaultInterceptor(Predicate<SdkHttpRequest> matches, int times, int status, String code, String message,
                     Map<String, String> headers) {
        this.message = message;
        this.matches = matches;
        this.remaining = new AtomicInteger(times);
        this.status = status;
        this.code = code;
        this.headers = headers;
    }

    static FaultInterceptor slowDown(Predicate<SdkHttpRequest> matches, int times) {
        return new FaultInterceptor(matches, times, 503, "SlowDown", Map.of());
    }

    int injected() {
        return injected.get();
    }

    @Override
    public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        if (!matches.test(context.httpRequest()) || remaining.getAndDecrement() <= 0) {
            faulting.set(false);
            return context.httpResponse();
        }
        faulting.set(true);
        injected.incrementAndGet();
        SdkHttpResponse.Builder b = SdkHttpResponse.builder().statusCode(status).statusText(code)
                .putHeader("Content-Type", "application/xml");
        headers.forEach(b::putHeader);
        return b.build();
    }

    @Override
    public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        if (!faulting.get()) {
            return context.responseBody();
        }
        faulting.set(false);
        context.responseBody().ifPresent(in -> {
            try (in) {
                in.transferTo(OutputStreamSink.INSTANCE);
            } catch (IOException ignored) {
                // the real body is discarded
            }
        });
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message
                + "</Message><RequestId>FAULT</RequestId></Error>";
        return Optional.of(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
