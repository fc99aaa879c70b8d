// Amazon ECR pages: private repositories with their URI, and a repository's images with each image URI.
import { ecr } from './aws.js';
import { h, link, table, when } from './dom.js';
import type { View } from './routes.js';

const ECR_TABLES = ['ecr_'];
const enc = encodeURIComponent;

interface Repository {
  repositoryName: string;
  repositoryUri: string;
  createdAt?: number;
  imageTagMutability?: string;
}
interface ImageDetail {
  imageDigest: string;
  imageTags?: string[];
  imagePushedAt?: number;
  imageSizeInBytes?: number;
}

export async function repositoriesPage(root: HTMLElement): Promise<View> {
  const body = h('div');
  root.append(h('h1', {}, 'Private repositories'), body);
  const refresh = async () => {
    const { repositories } = await ecr<{ repositories: Repository[] }>('DescribeRepositories');
    body.replaceChildren(
      table(
        ['Repository name', 'URI', 'Created at', 'Tag immutability'],
        repositories.map((r) => [link(`#/ecr/repositories/${enc(r.repositoryName)}`, r.repositoryName), r.repositoryUri, when(r.createdAt), r.imageTagMutability ?? '-']),
        'Private repositories',
        'No repositories',
      ),
    );
  };
  await refresh();
  return { tables: ECR_TABLES, refresh };
}

export async function repositoryPage(root: HTMLElement, [name]: string[]): Promise<View> {
  const { repositories } = await ecr<{ repositories: Repository[] }>('DescribeRepositories', { repositoryNames: [name] });
  const repo = repositories[0]!;
  const body = h('div');
  root.append(
    h('p', {}, link('#/ecr/repositories', 'Private repositories'), ' › ', repo.repositoryName),
    h('h1', {}, repo.repositoryName),
    h('p', {}, `URI ${repo.repositoryUri}`),
    h('h2', {}, 'Images'),
    body,
  );
  const refresh = async () => {
    const { imageDetails } = await ecr<{ imageDetails: ImageDetail[] }>('DescribeImages', { repositoryName: name });
    body.replaceChildren(
      table(
        ['Image tag', 'Image URI', 'Pushed at', 'Size (MB)', 'Digest'],
        imageDetails.map((i) => {
          const tag = i.imageTags?.[0];
          return [
            (i.imageTags ?? []).join(', ') || '<untagged>',
            tag ? `${repo.repositoryUri}:${tag}` : `${repo.repositoryUri}@${i.imageDigest}`,
            when(i.imagePushedAt),
            i.imageSizeInBytes === undefined ? '-' : (i.imageSizeInBytes / 1e6).toFixed(2),
            i.imageDigest,
          ];
        }),
        'Images',
        'No images',
      ),
    );
  };
  await refresh();
  return { tables: ECR_TABLES, refresh };
}
