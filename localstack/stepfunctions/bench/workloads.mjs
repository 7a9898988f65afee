// Definitions shared by every engine in the bench (also generated identically in EngineBench.java).
export function chain(n) {
  const states = {};
  for (let i = 0; i < n; i++) {
    states[`S${i}`] = i + 1 < n ? { Type: 'Pass', Next: `S${i + 1}` } : { Type: 'Pass', End: true };
  }
  return { StartAt: 'S0', States: states };
}
export function map() {
  return {
    StartAt: 'M',
    States: {
      M: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: { StartAt: 'I', States: { I: { Type: 'Pass', End: true } } }, End: true },
    },
  };
}
export function items(n) {
  return { items: Array.from({ length: n }, (_, i) => i) };
}
