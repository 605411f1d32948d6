package com.eazepay.backup.spring.boot;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupRequest;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.config.BackupConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.lang.Nullable;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code backups} Actuator endpoint:
 * <ul>
 *   <li>{@code GET /actuator/backups}: every source with its type, latest status (last success, failures since,
 *       running) and latest verification seen by this service;</li>
 *   <li>{@code GET /actuator/backups/{source}}: the same for one source plus its committed backups, oldest first;</li>
 *   <li>{@code POST /actuator/backups/{source}} (optional {@code tag}): takes a backup now and answers its result
 *       (200), or the failure with its error code (500; 404 for an unknown source). Nothing is reported as
 *       success unless the manifest was written.</li>
 * </ul>
 * Expose it like any endpoint ({@code management.endpoints.web.exposure.include=health,backups}) and protect the
 * write operation as you would any other that changes state.
 */
@Endpoint(id = "backups")
public class BackupsEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(BackupsEndpoint.class);

    private final BackupEngine engine;
    private final BackupStatus status;
    private final BackupConfig config;

    /**
     * @param config the configuration (source types, objectives), or null when the engine was built otherwise
     */
    public BackupsEndpoint(BackupEngine engine, BackupStatus status, @Nullable BackupConfig config) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.status = Objects.requireNonNull(status, "status");
        this.config = config;
    }

    /** Every source with its latest status. */
    @ReadOperation
    public Map<String, Object> sources() {
        Map<String, Object> sources = new LinkedHashMap<>();
        for (String name : engine.sourceNames()) {
            sources.put(name, describe(name));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("repository", engine.describeRepository());
        out.put("sources", sources);
        return out;
    }

    /** One source: its status and its committed backups. */
    @ReadOperation
    public WebEndpointResponse<Map<String, Object>> source(@Selector String source) {
        if (!engine.sourceNames().contains(source)) {
            return new WebEndpointResponse<>(unknown(source), WebEndpointResponse.STATUS_NOT_FOUND);
        }
        Map<String, Object> out = describe(source);
        List<Map<String, Object>> backups = new ArrayList<>();
        for (Manifest m : engine.list(source)) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("id", m.id());
            b.put("trigger", m.trigger());
            b.put("tags", m.tags());
            put(b, "completedAt", m.completedAt());
            b.put("storedBytes", m.storedBytes());
            b.put("plaintextBytes", m.plaintextBytes());
            backups.add(b);
        }
        out.put("backups", backups);
        return new WebEndpointResponse<>(out, WebEndpointResponse.STATUS_OK);
    }

    /** Takes a backup of {@code source} now, tagged {@code tag} if given. */
    @WriteOperation
    public WebEndpointResponse<Map<String, Object>> backup(@Selector String source, @Nullable String tag) {
        if (!engine.sourceNames().contains(source)) {
            return new WebEndpointResponse<>(unknown(source), WebEndpointResponse.STATUS_NOT_FOUND);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("source", source);
        try {
            BackupRequest request = engine.backup(source);
            if (tag != null && !tag.isBlank()) {
                request.tag(tag);
            }
            BackupResult r = request.run();
            out.put("outcome", "succeeded");
            out.put("id", r.id());
            out.put("storedBytes", r.storedBytes());
            out.put("plaintextBytes", r.plaintextBytes());
            out.put("duration", r.duration().toString());
            return new WebEndpointResponse<>(out, WebEndpointResponse.STATUS_OK);
        } catch (BackupException e) {
            LOG.warn("backup of {} requested through the backups endpoint failed ({}): {}", source, e.errorCode(), e.getMessage());
            out.put("outcome", "failed");
            out.put("errorCode", e.errorCode().name());
            out.put("retryable", e.isRetryable());
            out.put("message", e.getMessage());
            return new WebEndpointResponse<>(out, e.errorCode().name().equals("INVALID_CONFIGURATION")
                    ? WebEndpointResponse.STATUS_BAD_REQUEST : WebEndpointResponse.STATUS_INTERNAL_SERVER_ERROR);
        }
    }

    private Map<String, Object> unknown(String source) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("message", "no source named '" + source + "'; configured: " + engine.sourceNames());
        return out;
    }

    private Map<String, Object> describe(String name) {
        BackupStatus.SourceStatus s = status.source(name);
        Map<String, Object> d = new LinkedHashMap<>();
        if (config != null && config.sources().containsKey(name)) {
            BackupConfig.SourceEntry e = config.source(name);
            d.put("type", e.type());
            if (e.objectives().rpo() != null) {
                d.put("rpo", e.objectives().rpo().toString());
            }
            if (e.objectives().rto() != null) {
                d.put("rto", e.objectives().rto().toString());
            }
        }
        d.put("status", s.failing() ? "FAILING" : s.lastSuccessAt() != null ? "OK" : "NEVER_BACKED_UP");
        d.put("running", s.running());
        put(d, "lastSuccess", s.lastSuccessAt());
        if (s.lastSuccessId() != null) {
            d.put("lastBackupId", s.lastSuccessId());
            d.put("lastStoredBytes", s.lastStoredBytes());
        }
        d.put("failuresSinceLastSuccess", s.failuresSinceSuccess());
        if (s.lastFailureAt() != null) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("at", s.lastFailureAt().toString());
            f.put("errorCode", s.lastFailureCode());
            f.put("message", s.lastFailureMessage());
            d.put("lastFailure", f);
        }
        if (s.lastVerification() != null) {
            BackupStatus.Verification v = s.lastVerification();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("backupId", v.backupId());
            m.put("passed", v.passed());
            m.put("detail", v.detail());
            put(m, "at", v.at());
            d.put("lastVerification", m);
        }
        return d;
    }

    private static void put(Map<String, Object> m, String key, Instant at) {
        if (at != null) {
            m.put(key, at.toString());
        }
    }
}
