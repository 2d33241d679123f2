package org.crmsync.everyaction;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.csv.ExportRow;
import org.crmsync.everyaction.internal.ExportJob;
import org.crmsync.everyaction.internal.VanClient;
import org.crmsync.everyaction.internal.VanPerson;
import org.crmsync.kit.FileChangeStream;
import org.crmsync.kit.JobPoller;
import org.crmsync.mapping.RecordSource;
import org.crmsync.spi.ChangeFeed;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.SyncContext;
import org.crmsync.spi.SyncCursor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inbound reads: the people VAN says changed since the cursor, through a changed-entity export job of
 * {@code Contacts} (https://docs.ngpvan.com/reference/changedentityexportjobs).
 *
 * <ol>
 *   <li>No job under way: create one from the cursor minus the look-back (the seed's 48 hours), never
 *       before VAN's limit ("Must be in the last 90 days"), with {@code excludeChangesFromSelf} so the
 *       sync's own writes do not come back ("could be used to prevent circular updates in bidirectional
 *       integrations"). A cursor older than 90 days is a clear error, not a silent gap.
 *   <li>Look at the job once, without waiting. Still {@code Pending} or {@code InProcess}: {@link
 *       ChangeFeed.NotReady} with the job id in the cursor, so the next run picks up the same job (one
 *       job, not two). {@code Error}: a new job, once.
 *   <li>{@code Complete}: every file of {@code files[]} (the export splits at {@code fileSizeKbLimit};
 *       parsons reads only the first, which loses records), streamed row by row with the kit's {@link
 *       FileChangeStream}; a run cut off inside a file resumes at the row after the last one applied. A
 *       download link that is gone (403, 404 or 410: links expire, after 24 hours by the job-status page,
 *       20 days by the create page) makes a new job.
 *   <li>The export's {@code Phone} column is the person's (preferred) phone, without its type or SMS
 *       opt-in; the columns that would carry them are not documented. A row with a phone is read whole
 *       with {@code GET people/{vanId}?$expand=phones,emails,addresses} (one call: VAN has no batch
 *       read of people); a row without one is handed over as it is, and the engine skips it for want of
 *       a mobile number, without a call.
 * </ol>
 *
 * <p>The cursor: {@value #SINCE} (changes up to then were read), {@value #JOB} and {@value #JOB_AT} (the
 * job under way and when it was asked for), and the kit's file and line while a job's files are read.
 */
final class ChangedContacts {
    private static final Logger LOG = LoggerFactory.getLogger(ChangedContacts.class);

    static final String SINCE = "since";
    static final String JOB = "job";
    static final String JOB_AT = "jobAt";
    /** VAN's limit on {@code dateChangedFrom}. */
    static final Duration VAN_LIMIT = Duration.ofDays(90);
    /** How far inside that limit a job starts at the oldest, so clocks a little apart do not cross it. */
    static final Duration LIMIT_MARGIN = Duration.ofHours(1);
    /**
     * What the job asks for: the person's id, names and phone (sunrise data dept's syncer asks for
     * {@code VanID, FirstName, LastName, Phone, PhoneOptInStatus, DateCreated}; "The exported data will
     * include all core fields for the resource type as well as any specified").
     */
    static final List<String> REQUESTED_FIELDS = List.of("VanID", "FirstName", "LastName", "Phone");
    static final String ID_COLUMN = "VanID";
    static final String PHONE_COLUMN = "Phone";

    private final VanClient client;
    private final EveryActionConfig config;
    private final SyncContext context;
    private final Clock clock;
    private final Map<Long, VanPerson> people;
    private final JobPoller<ExportJob> poller;

    ChangedContacts(VanClient client, EveryActionConfig config, SyncContext context, Clock clock,
            Map<Long, VanPerson> people) {
        this.client = requireNonNull(client, "client");
        this.config = requireNonNull(config, "config");
        this.context = requireNonNull(context, "context");
        this.clock = requireNonNull(clock, "clock");
        this.people = requireNonNull(people, "people");
        this.poller = JobPoller.<ExportJob>builder("EveryAction changed-entity export", ChangedContacts::state)
                .firstWait(config.exportPollInterval()).clock(clock).build();
    }

    private static JobPoller.State state(ExportJob job) {
        switch (job.status()) {
            case COMPLETE: return JobPoller.State.DONE;
            case ERROR: return JobPoller.State.FAILED;
            default: return JobPoller.State.RUNNING;
        }
    }

    ChangeFeed read(SyncCursor cursor) {
        Instant now = clock.instant();
        Optional<Instant> since = cursor.get(SINCE).map(Instant::parse);
        if (since.isPresent() && since.get().isBefore(now.minus(VAN_LIMIT))) {
            throw new CrmSyncException(ErrorCode.INVALID_CONFIGURATION, "the inbound cursor of job " + context.jobId()
                    + " says changes were read up to " + since.get() + ", "
                    + Duration.between(since.get(), now).toDays() + " days ago; VAN's changed-entity export reaches"
                    + " back 90 days only (dateChangedFrom \"must be in the last 90 days\"), so the changes made"
                    + " between then and " + now.minus(VAN_LIMIT).truncatedTo(ChronoUnit.SECONDS) + " cannot be"
                    + " read. Nothing was read: clear this job's inbound cursor to start again from the last 90 days"
                    + " (people changed before then come in when they next change), after a full export from"
                    + " EveryAction if they are needed now");
        }
        Optional<Long> jobId = cursor.get(JOB).map(Long::parseLong);
        if (jobId.isPresent()) {
            ExportJob job = client.exportJob(jobId.get());
            Instant askedAt = cursor.get(JOB_AT).map(Instant::parse).orElse(now);
            if (job.status() == ExportJob.Status.ERROR) {
                LOG.warn("EveryAction export job {} ended in error ({}{}); asking for a new one", job.id(), job.message(),
                        job.code().map(c -> ", code " + c).orElse(""));
                return create(since, cursor, false);
            }
            if (job.status() == ExportJob.Status.COMPLETE) {
                return complete(job, askedAt, since, cursor);
            }
            return waiting(job, askedAt, since);
        }
        return create(since, cursor, true);
    }

    /** A new job from the cursor, looked at once. */
    private ChangeFeed create(Optional<Instant> since, SyncCursor cursor, boolean retryOnError) {
        Instant now = clock.instant();
        ExportJob created = createJob(since);
        ExportJob job = created.status() == ExportJob.Status.COMPLETE && !created.files().isEmpty() ? created
                : poller.checkOnce(() -> client.exportJob(created.id())).status();
        if (job.status() == ExportJob.Status.ERROR) {
            if (retryOnError) {
                LOG.warn("EveryAction export job {} ended in error ({}); asking for a new one", job.id(), job.message());
                return create(since, cursor, false);
            }
            throw new CrmSyncException(ErrorCode.REMOTE_UNAVAILABLE, "EveryAction export job " + job.id() + " ended in"
                    + " error twice: " + job.message() + job.code().map(c -> " (reference code " + c + ")").orElse("")
                    + "; the next run asks again");
        }
        if (job.status() == ExportJob.Status.COMPLETE) {
            return complete(job, now, since, SyncCursor.start());
        }
        return waiting(job, now, since);
    }

    /** {@code POST changedEntityExportJobs} from the cursor minus the look-back, within VAN's 90 days. */
    private ExportJob createJob(Optional<Instant> since) {
        Instant now = clock.instant();
        Instant oldest = now.minus(VAN_LIMIT).plus(LIMIT_MARGIN);
        Duration lookback = context.policy().inboundLookbackOr(EveryActionConnectorProvider.SEED_LOOKBACK);
        Instant from = since.map(s -> s.minus(lookback)).filter(f -> f.isAfter(oldest)).orElse(oldest);
        ObjectNode request = VanClient.object();
        request.put("dateChangedFrom", from.truncatedTo(ChronoUnit.SECONDS).toString());
        request.put("resourceType", "Contacts");
        com.fasterxml.jackson.databind.node.ArrayNode requested = request.putArray("requestedFields");
        REQUESTED_FIELDS.forEach(requested::add);
        config.exportFields().values().stream().filter(f -> !REQUESTED_FIELDS.contains(f)).distinct()
                .forEach(requested::add);
        request.put("excludeChangesFromSelf", true);
        request.put("includeInactive", false);
        request.put("contactMode", 1); // people, not organizations
        config.exportFileSizeKb().ifPresent(kb -> request.put("fileSizeKbLimit", kb));
        ExportJob created = client.createExportJob(request);
        if (!created.excludeChangesFromSelf().orElse(false)) {
            // "Any missing properties in the response indicates that they were not accepted."
            LOG.warn("EveryAction export job {} did not accept excludeChangesFromSelf: the sync's own writes come back"
                    + " inbound (as no difference)", created.id());
        }
        return created;
    }

    private ChangeFeed waiting(ExportJob job, Instant askedAt, Optional<Instant> since) {
        return ChangeFeed.notReady(cursor(since, job.id(), askedAt, Map.of()), config.exportPollInterval(),
                "EveryAction export job " + job.id() + " is " + job.status().name().toLowerCase(java.util.Locale.ROOT)
                        .replace('_', ' '));
    }

    /** A complete job: its files, from the cursor's file and line when the cursor is inside this job. */
    private ChangeFeed complete(ExportJob job, Instant askedAt, Optional<Instant> since, SyncCursor cursor) {
        List<ExportJob.File> files = job.files();
        Instant readUpTo = job.dateChangedTo().orElse(askedAt);
        SyncCursor end = SyncCursor.of(SINCE, readUpTo.toString());
        if (files.isEmpty()) {
            return ChangeFeed.ready(FileChangeStream.builder().endCursor(end).records((row, c) -> {
                throw new IllegalStateException("no file");
            }).build());
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            names.add("job-" + job.id() + "-file-" + (i + 1) + "-of-" + files.size());
        }
        // Inside this job's files (a run cut off part way): resume there. A file name of another job is not.
        int first = cursor.get(JOB).equals(Optional.of(Long.toString(job.id())))
                ? cursor.get(FileChangeStream.CURSOR_FILE).map(names::indexOf).orElse(-1) : -1;
        boolean inside = first >= 0;
        first = Math.max(first, 0);
        // The first file this run opens, opened now: a link that is gone makes a new job before any record.
        VanClient.Download opened = client.download(files.get(first).downloadUrl());
        if (opened instanceof VanClient.Download.Gone gone) {
            // The new job goes into the cursor before anything else is sent: a run the quota stops right after
            // would otherwise leave the old job there, and every next run would find its files gone again.
            ExportJob fresh = createJob(since);
            LOG.warn("the files of EveryAction export job {} are gone (HTTP {}); asked for job {} instead", job.id(),
                    gone.httpStatus(), fresh.id());
            return ChangeFeed.notReady(cursor(since, fresh.id(), clock.instant(), Map.of()), config.exportPollInterval(),
                    "the files of EveryAction export job " + job.id() + " are gone (HTTP " + gone.httpStatus()
                            + "); new export job " + fresh.id() + " asked for");
        }
        AtomicReference<InputStream> firstStream = new AtomicReference<>(((VanClient.Download.Opened) opened).content());
        List<FileChangeStream.FileSource> sources = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            ExportJob.File file = files.get(i);
            int index = i;
            int opensFirst = first;
            sources.add(FileChangeStream.FileSource.of(names.get(i), () -> {
                InputStream ready = index == opensFirst ? firstStream.getAndSet(null) : null;
                return ready != null ? ready : download(job, file);
            }));
        }
        FileChangeStream.Builder stream = FileChangeStream.builder().files(sources).requiredHeadings(required())
                .endCursor(end).records((row, at) -> record(row, cursor(since, job.id(), askedAt, at.values())));
        if (inside) {
            stream.resumeFrom(cursor);
        }
        return ChangeFeed.ready(stream.build());
    }

    /** The id column, and the columns export.fields names: a file without one fails before its rows move. */
    private String[] required() {
        List<String> required = new ArrayList<>(List.of(ID_COLUMN));
        config.exportFields().values().stream().filter(f -> !required.contains(f)).forEach(required::add);
        return required.toArray(String[]::new);
    }

    private InputStream download(ExportJob job, ExportJob.File file) {
        VanClient.Download d = client.download(file.downloadUrl());
        if (d instanceof VanClient.Download.Gone gone) {
            throw new CrmSyncException(ErrorCode.REMOTE_UNAVAILABLE, "a file of EveryAction export job " + job.id()
                    + " is gone (HTTP " + gone.httpStatus() + ") while the ones before it were read; the next run"
                    + " reads the job again from where this one stopped, or asks for a new job if its files are gone");
        }
        return ((VanClient.Download.Opened) d).content();
    }

    /**
     * One row as a record: read whole when it has a phone (its type and SMS opt-in are not in the
     * export), as it is otherwise.
     */
    private RemoteRecord record(ExportRow row, SyncCursor cursor) {
        String id = row.get(ID_COLUMN).map(String::trim).orElse("");
        if (row.problem().isPresent() || !id.matches("[0-9]{1,18}")) {
            return RemoteRecord.malformed(id, cursor, row.location(), row.problem().orElse("the VanID column holds no"
                    + " VAN ID"));
        }
        long vanId = Long.parseLong(id);
        if (!config.exportFields().isEmpty()) {
            // export.fields names the columns of the phone's details: the row is the whole record.
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put(EveryActionMapping.VAN_ID, id);
            row.get("FirstName").ifPresent(v -> fields.put(EveryActionMapping.FIRST_NAME, v));
            row.get("LastName").ifPresent(v -> fields.put(EveryActionMapping.LAST_NAME, v));
            config.exportFields().forEach((name, column) -> row.get(column).ifPresent(v -> fields.put(name, v)));
            return RemoteRecord.of(id, fields, RecordSource.API, cursor, row.location());
        }
        if (row.get(PHONE_COLUMN).filter(p -> !p.isBlank()).isEmpty()) {
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put(EveryActionMapping.VAN_ID, id);
            row.get("FirstName").ifPresent(v -> fields.put(EveryActionMapping.FIRST_NAME, v));
            row.get("LastName").ifPresent(v -> fields.put(EveryActionMapping.LAST_NAME, v));
            return RemoteRecord.of(id, fields, RecordSource.API, cursor, row.location() + " (no phone)");
        }
        Optional<VanPerson> person;
        try {
            person = client.person(vanId);
        } catch (CrmSyncException e) {
            if (!e.retryable()) {
                throw e;
            }
            return RemoteRecord.unreadable(id, cursor, row.location(), e.getMessage());
        }
        if (person.isEmpty()) {
            // Merged or deleted since it changed: nothing to apply; reported, and the cursor moves past it.
            return RemoteRecord.malformed(id, cursor, row.location(), "VAN ID " + id + " changed but is no longer"
                    + " available (merged or deleted in EveryAction)");
        }
        people.put(vanId, person.get());
        return RemoteRecord.of(id, person.get().fields(), RecordSource.API, cursor, "EveryAction person " + id + " ("
                + row.location() + ")");
    }

    private static SyncCursor cursor(Optional<Instant> since, long jobId, Instant askedAt, Map<String, String> position) {
        Map<String, String> values = new LinkedHashMap<>(position);
        since.ifPresent(s -> values.put(SINCE, s.toString()));
        values.put(JOB, Long.toString(jobId));
        values.put(JOB_AT, askedAt.toString());
        return new SyncCursor(values);
    }
}
