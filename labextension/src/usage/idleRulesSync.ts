import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { IIdlePolicy } from './tokens';
import {
  IDLE_RULES_KEY,
  IdleBody,
  readIdleRules,
  ruleKey,
  withIdleRule
} from './idleSettings';

/** The settings the rules live in (JupyterLab's `ISettingRegistry.ISettings` fits). */
export interface IIdleSettings {
  get(key: string): { composite: unknown };
  set(key: string, value: any): Promise<void>;
  readonly changed: ISignal<any, any>;
}

/** The server calls the sync makes (no notifications of their own). */
export interface IIdleServer {
  fetchIdlePolicies(): Promise<IIdlePolicy[]>;
  putIdlePolicy(instanceType: string, body: IdleBody): Promise<IIdlePolicy>;
}

/** What the user is told. */
export interface IIdleNotifier {
  saved(policy: IIdlePolicy): void;
  /** The server refused (its message is in the error) or could not be reached. */
  failed(instanceType: string, error: unknown): void;
}

/**
 * Keeps the server's idle rules in line with JupyterLab's settings. The
 * settings are what the user wants; the server enforces and validates. Once
 * settings are attached, their rules are sent for every type whose rule
 * differs from the server's, and again on every change (a type removed from
 * the settings is turned off). The panel's form saves by writing the
 * settings, so both ways of editing meet in one place. Each type's requests
 * go out in order, and a rule already sent or on its way is not sent again.
 */
export class IdleRulesSync implements IDisposable {
  constructor(options: IdleRulesSync.IOptions) {
    this._server = options.server;
    this._notify = options.notify;
  }

  /** Emitted with the server's rule after it changed through this sync. */
  get applied(): ISignal<this, IIdlePolicy> {
    return this._applied;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Start following these settings: learn the server's rules, send the
   * settings' rules that differ, then follow changes. Resolves once the
   * first requests are settled (failures are notified, not thrown).
   */
  async attach(settings: IIdleSettings): Promise<void> {
    this._settings = settings;
    try {
      for (const policy of await this._server.fetchIdlePolicies()) {
        this._known.set(policy.instance_type, ruleKey(policy));
      }
    } catch {
      // Unknown: every rule of the settings is sent.
    }
    if (this._isDisposed) {
      return;
    }
    settings.changed.connect(this._onSettingsChanged, this);
    await this._apply();
  }

  /**
   * Save a type's rule from the panel: into the settings when attached (the
   * change reaches the server), else straight to the server. Resolves with
   * the server's rule; rejects, after notifying, when it is refused.
   */
  async save(instanceType: string, body: IdleBody): Promise<IIdlePolicy> {
    const settings = this._settings;
    if (settings) {
      const current = settings.get(IDLE_RULES_KEY).composite;
      try {
        await settings.set(
          IDLE_RULES_KEY,
          withIdleRule(current, instanceType, body)
        );
      } catch (error) {
        this._notify.failed(instanceType, error);
        throw error;
      }
    }
    // Shares the request the settings change started, if it did.
    return this._push(instanceType, body);
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._settings?.changed.disconnect(this._onSettingsChanged, this);
    Signal.clearData(this);
  }

  private _onSettingsChanged(): void {
    void this._apply();
  }

  /** Send what the settings say; settles when every request has. */
  private async _apply(): Promise<void> {
    if (!this._settings || this._isDisposed) {
      return;
    }
    const rules = readIdleRules(this._settings.get(IDLE_RULES_KEY).composite);
    const sent: Array<Promise<unknown>> = [];
    for (const [type, body] of rules) {
      // A refused rule is sent again only once it is edited (not on every
      // change of another rule), so its notification is not repeated.
      if (this._refused.get(type) !== ruleKey(body)) {
        sent.push(this._push(type, body));
      }
    }
    for (const type of this._previous) {
      if (rules.has(type)) {
        continue;
      }
      if (this._refused.delete(type)) {
        // The server never took it: there is nothing to turn off.
        continue;
      }
      sent.push(
        this._push(type, { kernel_idle_minutes: 0, instance_idle_minutes: 0 })
      );
    }
    this._previous = new Set(rules.keys());
    await Promise.all(sent.map(p => p.catch(() => undefined)));
  }

  /** Send a type's rule unless the server has it or it is on its way. */
  private _push(type: string, body: IdleBody): Promise<IIdlePolicy> {
    const key = ruleKey(body);
    const pending = this._pending.get(type);
    if (pending?.key === key) {
      return pending.promise;
    }
    if (!pending && this._known.get(type) === key) {
      return Promise.resolve({ instance_type: type, ...body });
    }
    const before = pending
      ? pending.promise.catch(() => undefined)
      : Promise.resolve();
    const promise = before
      .then(() => this._server.putIdlePolicy(type, body))
      .then(
        policy => {
          this._known.set(type, ruleKey(policy));
          this._refused.delete(type);
          this._notify.saved(policy);
          if (!this._isDisposed) {
            this._applied.emit(policy);
          }
          return policy;
        },
        error => {
          // The server may have kept its old rule: ask again next time.
          this._known.delete(type);
          this._refused.set(type, key);
          this._notify.failed(type, error);
          throw error;
        }
      )
      .finally(() => {
        if (this._pending.get(type)?.promise === promise) {
          this._pending.delete(type);
        }
      });
    this._pending.set(type, { key, promise });
    return promise;
  }

  private _server: IIdleServer;
  private _notify: IIdleNotifier;
  private _settings: IIdleSettings | null = null;
  /** Rule key per type the server is known to have. */
  private _known = new Map<string, string>();
  private _pending = new Map<
    string,
    { key: string; promise: Promise<IIdlePolicy> }
  >();
  /** Rule key per type the server refused last. */
  private _refused = new Map<string, string>();
  /** Types the settings named at the last apply. */
  private _previous = new Set<string>();
  private _isDisposed = false;
  private _applied = new Signal<this, IIdlePolicy>(this);
}

export namespace IdleRulesSync {
  export interface IOptions {
    server: IIdleServer;
    notify: IIdleNotifier;
  }
}
