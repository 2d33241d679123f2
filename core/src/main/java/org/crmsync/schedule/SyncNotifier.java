package org.crmsync.schedule;

import org.crmsync.report.SyncReport;

/**
 * Receives the report of every scheduled run (the ActiveCampaign seed's import notification), for
 * example to email a data team. Exceptions it throws are logged and do not stop the schedule.
 */
@FunctionalInterface
public interface SyncNotifier {
    SyncNotifier NONE = (task, report) -> { };

    void onReport(String taskName, SyncReport report);
}
