package org.crmsync.activecampaign;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;
import java.util.function.Supplier;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.activecampaign.internal.BulkImportOutcome;
import org.crmsync.spi.Sleeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bulk importer's own limits, on top of the account's 5 requests per second: "For requests
 * containing a single contact, there is a limit of 20 requests per minute; for requests containing
 * multiple contacts, there is a limit of 100 requests per minute"
 * (https://developers.activecampaign.com/reference/bulk-import-contacts). Past them the importer answers
 * 400 {@code "Rate limit exceeded."} with "Up to 100 imports may be requested per minute. Please batch
 * contacts into larger requests, or retry this request in a minute" (the reference's 400 example).
 *
 * <p>Imports are spaced so that no 60 seconds hold more than the limit of their kind (which also keeps
 * any calendar minute within it: the reference does not say which it counts), waiting through the
 * context's sleeper. A refusal all the same (another integration or connector instance of the account
 * imported meanwhile) is waited out a minute, as the answer asks, and the import sent again, up to
 * {@code http.max.attempts} attempts in all; then the batch fails as {@code RATE_LIMITED} and is left
 * for the next run. Nothing was queued by a refused request, so sending it again duplicates nothing.
 *
 * <p>One per connector instance, shared by its runs (as its HTTP rate limiter is); thread-safe.
 */
final class ImporterRateLimit {
    private static final Logger LOG = LoggerFactory.getLogger(ImporterRateLimit.class);
    static final int SINGLE_CONTACT_PER_MINUTE = 20;
    static final int MULTI_CONTACT_PER_MINUTE = 100;
    static final Duration WINDOW = Duration.ofMinutes(1);
    /** "... or retry this request in a minute." */
    static final Duration WAIT_AFTER_REFUSAL = Duration.ofMinutes(1);

    private final Clock clock;
    private final Sleeper sleeper;
    private final int maxAttempts;
    // When each import of the last minute was answered (or, while under way, sent), oldest first.
    private final PriorityQueue<Instant> singleContact = new PriorityQueue<>();
    private final PriorityQueue<Instant> multiContact = new PriorityQueue<>();

    ImporterRateLimit(Clock clock, Sleeper sleeper, int maxAttempts) {
        this.clock = clock;
        this.sleeper = sleeper;
        this.maxAttempts = Math.max(1, maxAttempts);
    }

    /**
     * Sends one import of {@code contacts} contacts within the importer's limits; a refusal for its rate
     * is waited out and the import sent again.
     *
     * @throws CrmSyncException {@code RATE_LIMITED} when the importer still refuses after the last attempt
     */
    BulkImportOutcome send(int contacts, Supplier<BulkImportOutcome> importCall) {
        for (int attempt = 1; ; attempt++) {
            Instant sent = awaitTurn(contacts);
            BulkImportOutcome outcome;
            try {
                outcome = importCall.get();
            } finally {
                answered(contacts, sent);
            }
            if (!outcome.rateLimited()) {
                return outcome;
            }
            if (attempt >= maxAttempts) {
                throw new CrmSyncException(ErrorCode.RATE_LIMITED, "ActiveCampaign's bulk importer refused the"
                        + " import of " + contacts + " contacts for its rate (" + outcome.message() + ") " + attempt
                        + " times, a minute apart; the batch is left for the next run (http.max.attempts sets how"
                        + " often it is tried)");
            }
            LOG.info("ActiveCampaign's bulk importer answered \"{}\"; waiting {} before sending the import of {}"
                    + " contacts again (attempt {} of {})", outcome.message(), WAIT_AFTER_REFUSAL, contacts,
                    attempt + 1, maxAttempts);
            sleep(WAIT_AFTER_REFUSAL);
        }
    }

    /** Waits until an import of this size is within its limit, then counts it as sent now. */
    private synchronized Instant awaitTurn(int contacts) {
        PriorityQueue<Instant> sent = imports(contacts);
        int limit = contacts == 1 ? SINGLE_CONTACT_PER_MINUTE : MULTI_CONTACT_PER_MINUTE;
        while (true) {
            Instant now = clock.instant();
            while (!sent.isEmpty() && !sent.peek().plus(WINDOW).isAfter(now)) {
                sent.poll();
            }
            if (sent.size() < limit) {
                sent.add(now);
                return now;
            }
            Duration wait = Duration.between(now, sent.peek().plus(WINDOW));
            LOG.debug("{} imports of {} contacts in the last minute; waiting {} for the importer's limit",
                    sent.size(), contacts == 1 ? "one" : "several", wait);
            sleep(wait);
        }
    }

    /**
     * Counts the import from when its answer came rather than from when it was sent: the importer saw
     * it somewhere in between (after this client's own rate limiter, say), so a minute is counted from
     * no earlier than the importer can have counted it.
     */
    private synchronized void answered(int contacts, Instant sent) {
        PriorityQueue<Instant> imports = imports(contacts);
        imports.remove(sent);
        imports.add(clock.instant());
    }

    private PriorityQueue<Instant> imports(int contacts) {
        return contacts == 1 ? singleContact : multiContact;
    }

    private void sleep(Duration wait) {
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CrmSyncException(ErrorCode.INTERNAL, "interrupted while waiting for ActiveCampaign's bulk"
                    + " importer", e);
        }
    }
}
