/**
 * What alert processing asks of the runs feature once an alert has opened an incident
 * and its channel exists. Implemented by runs (runs/alert-automation.ts), wired in
 * src/runtime.ts.
 */
export interface AlertAutomation {
  /** Runs the route's catalog diagnostics on the incident; results are posted in its channel. */
  runDiagnostics(incidentId: number, commands: readonly string[]): Promise<void>;
}
