'use client';

import Link from 'next/link';
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { saveBlob } from '../../lib/api/client';
import { useUrlQuery } from '../../lib/client/use-url-query';
import { fixtureStudy } from '../../lib/fixtures';
import { CurveStore } from '../../lib/learning-curves';
import { buildReport } from '../../lib/report';
import { Logo } from '../ui/logo';
import { PageSkeleton } from '../ui/states';
import { ThemeToggle } from '../ui/theme-toggle';
import { StudyView } from './study-view';

const PREVIEW_KEYS = ['trials', 'steps', 'live', 'objectives', 'constraints'];

const noSubscription = () => () => {};

/**
 * Rendered in the browser only: the fixture's times are relative to now and its size comes from the
 * URL, so a server render (this route is static) would not match the page it hydrates.
 */
export function PreviewStudy() {
  const inBrowser = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  return inBrowser ? <PreviewStudyBody /> : <PageSkeleton />;
}

function PreviewStudyBody() {
  // only the fixture's own keys: a chart control must not rebuild the fixture page
  const sp = useUrlQuery(PREVIEW_KEYS).params;
  const n = Math.min(50_000, Math.max(0, Number(sp.get('trials') ?? 200) || 0));
  const steps = Math.min(200, Math.max(0, Number(sp.get('steps') ?? 20) || 0));
  const live = sp.get('live') === '1';
  // ?objectives=2|3 (a multi-objective study), ?constraints=1 (a constrained one)
  const objectives = Math.min(3, Math.max(1, Number(sp.get('objectives') ?? 1) || 1));
  const constraints = Math.min(1, Math.max(0, Number(sp.get('constraints') ?? 0) || 0));
  const fx = useMemo(
    () => fixtureStudy({ trials: n, steps, running: n > 0 ? 3 : 0, objectives, constraints }),
    [n, steps, objectives, constraints],
  );
  const store = useMemo(() => {
    const s = new CurveStore();
    s.add(fx.metrics);
    return s;
  }, [fx]);
  const [version, setVersion] = useState(store.version);
  const [gp, setGp] = useState<string | null>('lr');
  useEffect(() => {
    if (!live) return;
    const running = fx.trials.filter((t) => t.state === 'RUNNING');
    let step = steps;
    const timer = setInterval(() => {
      step++;
      store.add(
        running.map((t, i) => ({
          trialId: t.id,
          name: 'val_loss',
          step,
          value: 0.2 + i * 0.05 + Math.exp(-step / 8),
          time: new Date().toISOString(),
        })),
      );
      setVersion(store.version);
    }, 500);
    return () => clearInterval(timer);
  }, [live, fx, store, steps]);
  return (
    <>
      <header className="shell-header">
        <Link href="/" className="brand">
          <Logo />
          <span>Posterior</span>
        </Link>
        <span className="badge">preview · fixture data</span>
        <div className="header-right">
          <ThemeToggle />
        </div>
      </header>
      <main id="main" className="main">
        <StudyView
          study={fx.study}
          trials={fx.trials}
          trialsLoading={false}
          store={store}
          curvesVersion={version}
          curvesBaseVersion={0}
          curvesLoading={false}
          live={live ? 'live' : 'finished'}
          importance={null}
          surrogate={gp === 'lr' ? (fx.surrogate[0] ?? null) : null}
          surrogateLoading={false}
          surrogateUnavailable="The fixture has a surrogate slice for lr only."
          gpParam={gp}
          onGpParam={setGp}
          actions={null}
          onDownloadReport={async () =>
            saveBlob(new Blob([buildReport(fx.study, fx.trials)], { type: 'text/plain' }), 'bayes_opt.txt')
          }
          trialHref={(id) => `/preview/study?trials=${n}#${id}`}
        />
      </main>
    </>
  );
}
