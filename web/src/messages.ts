/**
 * The API's validation messages are zod's defaults ("Too small: expected string to have >=1
 * characters") or name fields as the code does ("endsAt must be after startsAt"): said plainly
 * here, next to the field's label. A message not recognised is shown as the API wrote it.
 */
const plain: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^Too small: expected string to have >=1 characters?$/, () => 'Required'],
  [/^Invalid input: expected \w+, received (undefined|null)$/, () => 'Required'],
  [/^Too small: expected string to have >=(\d+) characters$/, (m) => `Must be at least ${m[1]} characters`],
  [/^Too big: expected string to have <=(\d+) characters?$/, (m) => `Must be at most ${m[1]} characters`],
  [/^Too small: expected number to be >=(\S+)$/, (m) => `Must be at least ${m[1]}`],
  [/^Too small: expected number to be >(\S+)$/, (m) => `Must be more than ${m[1]}`],
  [/^Too big: expected number to be <=(\S+)$/, (m) => `Must be at most ${m[1]}`],
  [/^Too big: expected number to be <(\S+)$/, (m) => `Must be less than ${m[1]}`],
  [/^Too small: expected array to have >=1 items?$/, () => 'Choose at least one'],
  [/^Too small: expected array to have >=(\d+) items$/, (m) => `Choose at least ${m[1]}`],
  [/^Too big: expected array to have <=(\d+) items?$/, (m) => `At most ${m[1]}`],
  [/^Invalid email address$/, () => 'Must be an email address'],
  [/^Invalid URL$/, () => 'Must be a web address such as https://example.org'],
  [/^Invalid UUID$/, () => 'Choose one from the list'],
  [/^Invalid ISO date$/, () => 'Must be a date'],
  [/^Invalid ISO datetime$/, () => 'Must be a date and time'],
  [/^Invalid ISO time$/, () => 'Must be a time such as 09:30'],
  [/^Invalid option: expected one of /, () => 'Choose one of the options'],
  [/^Invalid input: expected int, received number$/, () => 'Must be a whole number'],
  [/^Invalid input: expected number, received \w+$/, () => 'Must be a number'],
  [/^Invalid input: expected boolean, received \w+$/, () => 'Must be yes or no'],
  [/^Invalid string: must match pattern /, () => 'Not in the expected form'],
  [/^Unrecognized keys?: /, () => 'Not something this form takes'],
  [/^endsAt must be after startsAt$/, () => 'Must end after it starts'],
  [/^(\w+) must be after (\w+)$/, (m) => `Must be after ${fieldLabel(m[2]!).toLowerCase()}`],
  [/^(\w+) must not be before (\w+)$/, (m) => `Must not be before ${fieldLabel(m[2]!).toLowerCase()}`],
];

export function plainMessage(message: string): string {
  for (const [re, say] of plain) {
    const m = re.exec(message);
    if (m) return say(m);
  }
  return message;
}

const words: Record<string, string> = {
  startsAt: 'Starts',
  endsAt: 'Ends',
  dueAt: 'Due',
  timeZone: 'Time zone',
  linkedinUrl: 'LinkedIn URL',
  contactId: 'Contact',
  positionId: 'Position',
  applicationId: 'Application',
  candidateId: 'Candidate',
  employerId: 'Employer',
  parentId: 'District',
  decisionExpectedBy: 'Decision expected by',
  newDecisionExpectedBy: 'New decision date',
  from: 'From',
  to: 'To',
  start: 'Start',
  end: 'End',
};

/** A field's path as a person reads it: `participants.1.contactId` → "Participants 2: Contact". */
export function fieldLabel(path: string): string {
  const parts = path.replace(/^(body|query|path|header)\./, '').split('.');
  const out: string[] = [];
  for (const p of parts) {
    if (/^\d+$/.test(p)) out[out.length - 1] = `${out.at(-1) ?? 'Item'} ${Number(p) + 1}:`;
    else {
      const w = words[p] ?? p.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
      out.push(out.length ? w.toLowerCase() : w.charAt(0).toUpperCase() + w.slice(1));
    }
  }
  return out.join(' ').replace(/: (\w)/g, (_, c: string) => `: ${c.toUpperCase()}`);
}
