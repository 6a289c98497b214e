import type { FakeDevice } from './fake-device.js';
import type { FakeHandler, FakeReply, FakeRequest, FakeRule } from './types.js';

/**
 * Scripted answers: rules in order, then the fallback handler. A rule's `times` is counted
 * per device, so "fail the first commit" holds whichever session sends it.
 */
export class RuleBook {
  private readonly uses = new Map<FakeRule, number>();

  constructor(
    private readonly rules: readonly FakeRule[],
    private readonly handler: FakeHandler | undefined,
  ) {}

  /**
   * The scripted reply, or undefined for the device's default. Rules are picked synchronously
   * on arrival, so `times` follows the order requests came in even when handlers are async.
   */
  resolve(request: FakeRequest, device: FakeDevice): Promise<FakeReply | undefined> | FakeReply | undefined {
    const rule = this.rules.find((r) => this.available(r) && matches(r.match, request));
    if (rule) {
      this.uses.set(rule, (this.uses.get(rule) ?? 0) + 1);
      if (typeof rule.reply !== 'function') return rule.reply;
      // A rule's handler may decline (undefined): the fallback handler, then the defaults, answer.
      return this.tryHandlers(this.handler ? [rule.reply, this.handler] : [rule.reply], request, device);
    }
    return this.handler ? this.tryHandlers([this.handler], request, device) : undefined;
  }

  private async tryHandlers(candidates: FakeHandler[], request: FakeRequest, device: FakeDevice): Promise<FakeReply | undefined> {
    for (const candidate of candidates) {
      const reply = await candidate(request, device);
      if (reply !== undefined) return reply;
    }
    return undefined;
  }

  private available(rule: FakeRule): boolean {
    return rule.times === undefined || (this.uses.get(rule) ?? 0) < rule.times;
  }
}

function matches(match: FakeRule['match'], request: FakeRequest): boolean {
  if (typeof match === 'string') return match === request.operation;
  if (typeof match === 'function') return match(request);
  match.lastIndex = 0; // a /g or /y RegExp keeps state between tests
  return match.test(request.xml);
}
