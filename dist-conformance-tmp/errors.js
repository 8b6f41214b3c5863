/**
 * Errors a user should see as a message and an exit code, never as a stack trace.
 * Exit codes (documented in the README): 0 all passed, 1 an expectation failed, 2 usage error,
 * 3 invalid scenario, 4 backend unavailable, 130 interrupted.
 */
export const ExitCode = {
    ok: 0,
    failed: 1,
    usage: 2,
    invalidScenario: 3,
    backendUnavailable: 4,
    interrupted: 130,
};
export class SvclabError extends Error {
    exitCode;
    constructor(message, exitCode) {
        super(message);
        this.exitCode = exitCode;
        this.name = new.target.name;
    }
}
/** Bad command line: unknown flag, missing argument, wrong value. */
export class UsageError extends SvclabError {
    constructor(message) {
        super(message, ExitCode.usage);
    }
}
/** A scenario file that does not parse, validate or make sense. `message` is fully formatted. */
export class ScenarioError extends SvclabError {
    constructor(message) {
        super(message, ExitCode.invalidScenario);
    }
}
/** The backend cannot run here; `message` names exactly what is missing. */
export class BackendUnavailableError extends SvclabError {
    constructor(message) {
        super(message, ExitCode.backendUnavailable);
    }
}
//# sourceMappingURL=errors.js.map