package org.crmsync.activecampaign.internal;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a POST of {@link ActiveCampaignApi} that ActiveCampaign deduplicates, so the HTTP client may
 * send it again after a 429, a 5xx or a lost connection (see {@code HttpClients.idempotent}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface SafeToRepeat {
}
