// What the chaos harness sends and breaks, per profile, and the Firebreak configuration it
// runs with (20 people, a 3-step escalation policy for P1, checklists to tick).

/**
 * `full`: the run issue 10 describes (about five minutes of load). `ci`: the same shape,
 * smaller and shorter, for the test suite.
 */
export const PROFILES = {
  full: {
    loadSeconds: 300,
    webs: 3,
    workers: 3,
    alertGroups: 200,
    alertChangesPerGroup: 10,
    alertGroupInterval: "5s",
    declarations: 200,
    escalations: 100,
    actions: 1000,
    remediations: 20,
    stepSeconds: 60,
    killEverySeconds: [10, 20],
    restartAfterSeconds: [2, 5],
    postgresRestartAt: 0.3,
    redisRestartAt: 0.5,
    slackOutageAt: 0.7,
    slackOutageSeconds: 30,
    drainSeconds: 240,
  },
  ci: {
    loadSeconds: 60,
    webs: 2,
    workers: 2,
    alertGroups: 20,
    alertChangesPerGroup: 5,
    alertGroupInterval: "3s",
    declarations: 20,
    escalations: 10,
    actions: 100,
    remediations: 4,
    // Escalation steps are whole minutes (firebreak.yaml): the run waits for the third page.
    stepSeconds: 60,
    killEverySeconds: [10, 20],
    restartAfterSeconds: [2, 4],
    postgresRestartAt: 0.3,
    redisRestartAt: 0.5,
    slackOutageAt: 0.7,
    slackOutageSeconds: 10,
    drainSeconds: 150,
  },
};

/** The workspace's 20 people: the emulator's four, and sixteen more. */
export const USERS = [
  { id: "U0ALICE", name: "alice", real_name: "Alice Archer", is_bot: false },
  { id: "U0BOB", name: "bob", real_name: "Bob Baker", is_bot: false },
  { id: "U0CAROL", name: "carol", real_name: "Carol Chen", is_bot: false },
  { id: "U0DAVE", name: "dave", real_name: "Dave Diaz", is_bot: false },
  ...Array.from({ length: 16 }, (_, i) => {
    const n = String(i + 5).padStart(2, "0");
    return { id: `U0USER${n}`, name: `user${n}`, real_name: `User ${n}`, is_bot: false };
  }),
];
export const USER_IDS = USERS.map((u) => u.id);
/** May approve remediations (commander or admin). */
export const APPROVERS = ["U0ALICE", "U0BOB", "U0USER05", "U0USER06", "U0USER07", "U0USER08"];
/** May request them (responders). */
export const REQUESTERS = ["U0CAROL", "U0DAVE", "U0USER09", "U0USER13", "U0USER14", "U0USER15"];
/** Paged by the three steps of the `chaos` policy, in order. */
export const PAGED = ["U0USER10", "U0USER11", "U0USER12"];
export const CHECKLIST_ITEMS = 6;

export function firebreakYaml({ stepSeconds, mysqlUrl, redisUrl }) {
  const checklist = [
    "Confirm the customer impact",
    "Name an incident commander",
    "Invite responders",
    "Start mitigation",
    "Verify the fix with metrics",
    "Write the postmortem",
  ];
  const sev = (target) =>
    `{ response_target: ${target}, update_interval: 4h, checklist: ${JSON.stringify(checklist)} }`;
  return `
timezone: UTC
slack:
  announcements_channel: C0INCIDENTS
roles:
  admin: { users: [U0ALICE] }
  commander: { usergroups: [S0ONCALL], users: [U0USER05, U0USER06, U0USER07, U0USER08] }
  responder:
    users: [${USER_IDS.filter((u) => !APPROVERS.includes(u)).join(", ")}]
severities:
  P0: ${sev("4h")}
  P1: ${sev("4h")}
  P2: ${sev("4h")}
  P3: ${sev("1d")}
alerts:
  severity_label: severity
  severity_map: { critical: P1, warning: P3 }
  default_severity: P3
  on_all_resolved: notify
  storm: { threshold_per_minute: 10 }
schedules: {}
escalation_policies:
  chaos:
    repeat: 0
    steps:
${PAGED.map((u) => `      - notify: [{ user: ${u} }]\n        ack_timeout: ${stepSeconds}s`).join("\n")}
severity_policies:
  P1: chaos
targets:
  mysql:
    orders-db:
      url: ${mysqlUrl}
  redis:
    cache:
      url: ${redisUrl}
      allow_config:
        maxmemory: { min: 1mb, max: 4gb }
`;
}

/** Catalog commands the harness uses (copied from commands/ into the run's own folder). */
export const COMMANDS = ["mysql-kill-connection", "redis-set-maxmemory", "redis-ping"];
