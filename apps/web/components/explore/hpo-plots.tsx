'use client';

import { useMemo } from 'react';
import { patchUrl, useUrlParam } from '../../lib/client/use-url-query';
import { contourParams } from '../../lib/hpo-plots';
import type { TrialsOverSpace } from '../../lib/types';
import { ContourChart } from '../charts/contour-chart';
import { EdfChart } from '../charts/edf-chart';
import { SliceGridChart } from '../charts/slice-grid-chart';

const setPair = (x: string, y: string) => patchUrl({ cx: x, cy: y });

/** The standard HPO plots (issue 15 item 7): contour over a chosen pair, EDF, and the slice grid. */
export function HpoPlots({ space, trials, objective, direction, loading, constrained }: TrialsOverSpace) {
  const pairable = useMemo(() => contourParams(space, trials), [space, trials]);
  const x = useUrlParam('cx');
  const y = useUrlParam('cy');
  return (
    <>
      <div className="grid-2">
        <ContourChart
          space={space}
          trials={trials}
          params={pairable}
          x={x}
          y={y}
          onPair={setPair}
          objective={objective}
          direction={direction}
          loading={loading}
          constrained={constrained}
        />
        <EdfChart trials={trials} objective={objective} direction={direction} loading={loading} />
      </div>
      <SliceGridChart
        space={space}
        trials={trials}
        objective={objective}
        loading={loading}
        constrained={constrained}
      />
    </>
  );
}
