import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Someone the platform knows. The real name and mobile are personal data: shown masked unless the rules allow. */
@Entity({ name: 'person' })
export class Person {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'real_name', type: 'text' })
  realName!: string;

  @Column({ type: 'text', unique: true, nullable: true })
  mobile!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
