export function StatusBadge(props: { status: string }) {
  return <span class={`badge status-${props.status.replace(/[^a-z_]/g, '')}`}>{props.status}</span>;
}
