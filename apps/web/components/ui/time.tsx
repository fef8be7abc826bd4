import { formatDateTime, formatRelative } from '../../lib/format';

/** "3 min ago", with the exact UTC time on hover and for assistive technology. */
export function RelativeTime({ iso }: { iso: string | null }) {
  if (!iso) return <>—</>;
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {formatRelative(iso)}
    </time>
  );
}
