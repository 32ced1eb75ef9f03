-- Every possible (r_score, f_score) cell maps to exactly one segment. Returns the cells that
-- map to none or to more than one.

with

scores as (

    select 1 as score
    union all
    select 2
    union all
    select 3
    union all
    select 4
    union all
    select 5

),

cells as (

    select
        r.score as r_score,
        f.score as f_score
    from scores as r
    cross join scores as f

),

segment_map as (

    select * from {{ ref('rfm_segment_map') }}

),

mapped as (

    select
        cells.r_score,
        cells.f_score,
        count(segment_map.rfm_segment) as segments
    from cells
    left join segment_map
        on cells.r_score = segment_map.r_score
        and cells.f_score = segment_map.f_score
    group by cells.r_score, cells.f_score

)

select * from mapped
where segments <> 1
