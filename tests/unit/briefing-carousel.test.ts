import { describe, expect, it } from 'vitest';
import { advance, applyCommand, keyCommand, parseInterval } from '../../display/src/lib/briefing/carousel.js';

const at = (page: number, paused = false) => ({ page, count: 14, paused });
const press = (key: string, state = at(0)) => {
  const command = keyCommand(key);
  return command ? applyCommand(state, command) : state;
};

describe('the briefing carousel', () => {
  it('steps with arrows and a presenter remote, stopping at the first and last page', () => {
    expect(press('ArrowRight').page).toBe(1);
    expect(press('PageDown').page).toBe(1);
    expect(press('ArrowLeft', at(3)).page).toBe(2);
    expect(press('PageUp', at(0)).page).toBe(0);
    expect(press('ArrowRight', at(13)).page).toBe(13);
    expect(press('End').page).toBe(13);
    expect(press('Home', at(9)).page).toBe(0);
  });

  it('jumps with 1–9 and goes nowhere past the last page', () => {
    expect(press('4').page).toBe(3);
    expect(press('9', { page: 1, count: 5, paused: false }).page).toBe(1);
    expect(keyCommand('0')).toBeNull();
    expect(keyCommand('a')).toBeNull();
  });

  it('pauses and resumes with space; only the timer wraps round', () => {
    expect(press(' ').paused).toBe(true);
    expect(press(' ', at(2, true)).paused).toBe(false);
    expect(advance(at(13)).page).toBe(0);
    expect(advance(at(5)).page).toBe(6);
  });

  it('reads ?interval as whole seconds within bounds, off otherwise', () => {
    expect(parseInterval(null)).toBeNull();
    expect(parseInterval('0')).toBeNull();
    expect(parseInterval('off')).toBeNull();
    expect(parseInterval('2.5')).toBeNull();
    expect(parseInterval('20')).toBe(20);
    expect(parseInterval('1')).toBe(5);
    expect(parseInterval('99999')).toBe(3600);
  });
});
