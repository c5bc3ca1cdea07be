package ai.lepton.api;

/**
 * The result of checking an organization's audit log: intact, or the first event that is not as
 * it was recorded and what is wrong with it. A partner who keeps {@code lastSequence} and {@code
 * lastHash} from one check can later confirm that the log still holds that event unchanged.
 *
 * @param organizationId the organization whose log was checked
 * @param intact whether every event matches its hash and links to the one before, without gaps,
 *     up to the chain's recorded head
 * @param eventsChecked how many events were read
 * @param lastSequence the number of the last event read (0 for an empty log)
 * @param lastHash the hash of the last event read (64 zeros for an empty log)
 * @param firstBadSequence the first event changed, removed or inserted; null when intact
 * @param problem what is wrong with it ("changed", "removed", "inserted"...); null when intact
 */
public record AuditVerification(String organizationId, boolean intact, long eventsChecked,
    long lastSequence, String lastHash, Long firstBadSequence, String problem) {}
