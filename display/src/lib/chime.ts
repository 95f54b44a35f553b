/**
 * The wall's alert sound (`?sound=on`): two short tones, falling, made with WebAudio — no file to
 * load. A browser may keep audio suspended until someone has touched the page; a kiosk started with
 * Chromium's `--autoplay-policy=no-user-gesture-required` plays it without that.
 */
let context: AudioContext | null = null;

/** Plays the chime; does nothing where WebAudio is missing. */
export function playChime(): void {
  if (typeof AudioContext === 'undefined') return;
  context ??= new AudioContext();
  const audio = context;
  if (audio.state === 'suspended') void audio.resume().catch(() => {});
  const start = audio.currentTime + 0.02;
  for (const [offset, frequency] of [
    [0, 880],
    [0.22, 660],
  ] as const) {
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.type = 'sine';
    oscillator.frequency.value = frequency;
    // A quick rise and an exponential fall: a tone, not a click.
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.3, start + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.2);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(start + offset);
    oscillator.stop(start + offset + 0.22);
  }
}
