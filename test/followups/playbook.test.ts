import { describe, expect, it } from 'vitest';
import { defaultPlaybook, parsePlaybook, playbookSchema } from '../../src/core/followups/playbook.js';

describe('playbook settings', () => {
  it('when nothing is set, then every timing has the design default', () => {
    expect(defaultPlaybook).toEqual({
      businessDays: [1, 2, 3, 4, 5],
      businessHours: { start: '08:00', end: '18:00' },
      thankYou: { sameDayCutoff: '15:00', sameDayDelayMinutes: 120, sameDayLatest: '17:30', nextDayTime: '09:30' },
      timelineRequest: { afterBusinessDays: 1, time: '09:30' },
      recruiterCheckIn: { afterBusinessDays: 2, time: '09:30' },
      statusCheck: { beforeDecisionBusinessDays: 1, defaultWindowBusinessDays: 7, afterDateBusinessDays: 3, maxChecks: 2, time: '09:30' },
      postDecisionThanks: { afterBusinessDays: 1, time: '09:30' },
      approval: {
        employer: { thank_you: 'auto', timeline_request: 'auto', recruiter_check_in: 'auto', status_check: 'auto', post_decision_thanks: 'approval' },
        candidate: { completed: 'auto', notes_sent: 'auto', reply: 'auto', outcome: 'approval' },
      },
      freshness: { thankYouBusinessDays: 1, timelineRequestBusinessDays: 2, recruiterCheckInBusinessDays: 2, statusCheckBusinessDays: 0 },
      candidateQuietHours: { start: '21:00', end: '08:00' },
      candidateQuietWeekends: true,
      undoSeconds: 30,
      combinePerContact: true,
    });
    expect(parsePlaybook(undefined)).toEqual(defaultPlaybook);
  });

  it('when one field is set, then the others keep their defaults', () => {
    const p = playbookSchema.parse({ thankYou: { sameDayCutoff: '14:00' } });
    expect(p.thankYou).toEqual({ sameDayCutoff: '14:00', sameDayDelayMinutes: 120, sameDayLatest: '17:30', nextDayTime: '09:30' });
    expect(p.statusCheck.maxChecks).toBe(2);
  });

  it.each([
    [{ thankYou: { sameDayCutoff: '3pm' } }, 'thankYou.sameDayCutoff', 'HH:mm'],
    [{ thankYou: { nextDayTime: '24:00' } }, 'thankYou.nextDayTime', 'HH:mm'],
    [{ thankYou: { sameDayCutoff: '17:00', sameDayLatest: '16:00' } }, 'thankYou.sameDayLatest', 'sameDayCutoff'],
    [{ thankYou: { sameDayLatest: '18:30' } }, 'thankYou.sameDayLatest', 'business hours'],
    [{ thankYou: { sameDayDelayMinutes: -5 } }, 'thankYou.sameDayDelayMinutes', ''],
    [{ businessHours: { start: '18:00', end: '08:00' } }, 'businessHours.end', 'after'],
    [{ businessDays: [1, 1, 2] }, 'businessDays', 'repeat'],
    [{ businessDays: [0] }, 'businessDays.0', ''],
    [{ businessDays: [] }, 'businessDays', ''],
    [{ statusCheck: { maxChecks: 9 } }, 'statusCheck.maxChecks', ''],
    [{ statusCheck: { defaultWindowBusinessDays: 0 } }, 'statusCheck.defaultWindowBusinessDays', ''],
    [{ recruiterCheckIn: { time: '07:00' } }, 'recruiterCheckIn.time', 'business hours'],
    [{ candidateQuietHours: { start: '21:00', end: '21:00' } }, 'candidateQuietHours.end', 'differ'],
    [{ quietHours: {} }, '', 'quietHours'],
    [{ thankYou: { delay: 2 } }, 'thankYou', 'delay'],
  ])('when %j, then it is refused at %s', (input, path, message) => {
    const r = playbookSchema.safeParse(input);
    expect(r.success).toBe(false);
    const issue = r.error?.issues.find((i) => i.path.join('.') === path);
    expect(issue, JSON.stringify(r.error?.issues)).toBeDefined();
    expect(JSON.stringify(issue)).toContain(message);
  });
});
